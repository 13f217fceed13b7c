"""The ch5_customer_communication chapter: self-checks (questions) and widget of chapters/ch5_customer_communication/."""
