"""The ch4_product chapter: self-checks (questions) and widget of chapters/ch4_product/."""
