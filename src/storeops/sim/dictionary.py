"""The book's data-dictionary appendix, generated from the schema registry (`storeops.sim.schema`).

`write_page(path)` writes a MyST Markdown page and, beside it, an SVG diagram of how the
tables join (drawn with matplotlib, offline).  Run: ``python -m storeops.sim.dictionary PATH``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from storeops.sim.params import CHANNELS, GENERATOR_VERSION
from storeops.sim.schema import SCHEMA

DIAGRAM_NAME = "data_dictionary_joins.svg"
LABEL = "data-dictionary"

# diagram layout: table -> (x, y) centre
LAYOUT = {
    "calendar": (0.0, 5.0),
    "traffic": (0.0, 3.2),
    "funnel": (0.0, 1.4),
    "ab_tests": (0.0, -0.4),
    "customers": (3.4, 5.0),
    "orders": (3.4, 3.2),
    "order_lines": (3.4, 1.4),
    "returns": (2.3, -0.4),
    "reviews": (4.5, -0.4),
    "seller_ratings": (5.7, -2.2),
    "service_chats": (6.8, 5.0),
    "service_staffing": (9.2, 5.0),
    "products": (6.8, 1.4),
    "competitor_prices": (6.8, 3.2),
    "inventory": (6.8, -0.4),
    "finance": (3.4, -2.2),
    "purchase_orders": (9.2, -0.4),
    "campaigns": (0.0, 6.8),
    "campaign_sends": (3.4, 6.8),
}
BOX_W, BOX_H = 2.0, 1.2


def _esc(text: str) -> str:
    return str(text).replace("|", "\\|")


ANSWERS_SECTION = [
    "## What a store can see, and what only the instructor knows",
    "",
    "The tables hold only what a real store can observe in its own back office: its traffic,",
    "orders, stock, chats, returns and reviews, its catalogue and its costs. What an analyst",
    "has to *work out* from them is never a column, because it would be the answer:",
    "",
    "| answer (instructor only) | where it lives | what a trainee uses instead |",
    "|---|---|---|",
    "| a product's role (traffic, profit, bundle or regular item) | `truth.json`: `products.skus.<sku>.role` | prices, costs, margins and units from `products` and `order_lines` |",
    "| a customer's behavioural segment | `truth.json`: `customers.segment_by_customer` | RFM scores from `orders` |",
    "| a customer's loyalty (how their experiences moved their chance of buying again) and the loyalty model | `truth.json`: `customers.loyalty_at_end_by_customer`, `customers.loyalty` | repurchase after late deliveries, returns, chats and reviews from `orders`, `returns`, `service_chats`, `reviews` |",
    "| a campaign's true uplift per segment (expected extra orders per member sent) and true incremental profit, and the response model | `truth.json`: `campaigns` | sent vs held-out members' orders in the 14 days after the send date, from `campaign_sends` and `orders` |",
    "| what each review, return note and chat message is about: its intent, its cause (a late delivery, a defect, a return reason, a festival, none) and its sentiment | `truth.json`: `texts.tables.<table>` (one character per row, indices into `texts.vocabulary`) | keyword counts on `reviews.text`, `returns.reason_text`, `service_chats.message` |",
    "| a product's life-cycle stage | `truth.json`: `products.skus.<sku>.life_cycle_stage_at_end` | weekly units from `order_lines` |",
    "| the most profitable clearance week and depth of a seasonal or fashion product | `truth.json`: `clearance.skus.<sku>` | sell-through from `inventory`, price response from `order_lines`, season ends from `products.season_end` and `inventory.written_down` |",
    "| true price elasticities, channel response curves, festival effects | `truth.json` | estimates from `order_lines`, `traffic`, `funnel` |",
    "| injected incidents (checkout failure, stock-out, bad traffic) | `truth.json`: `incidents` | anomalies found in the tables |",
    "",
    "The instructor's copy has `truth.json` beside the tables. It is never part of a student",
    "release; exercises check answers against it without showing it.",
    "",
]


def page_text(diagram: str = DIAGRAM_NAME) -> str:
    """The MyST Markdown of the data-dictionary page."""
    out = [
        f"({LABEL})=",
        "# Data dictionary",
        "",
        "Every chapter and exercise uses the same simulated online store. This page lists each of",
        "its tables and columns with type, unit and meaning; it is generated from the simulator's",
        f"schema (generator version {GENERATOR_VERSION}), so it always matches the data.",
        "",
        "```python",
        "from storeops.data import load_store",
        "store = load_store()      # every table is an attribute: store.orders, store.traffic, ...",
        "```",
        "",
        "Conventions:",
        "",
        "- **Money** is in Chinese yuan (CNY) as decimal numbers.",
        "- **Dates** are days at midnight; **timestamps** carry the time of day (store time).",
        "- **Ids** are text with a prefix: `O0000001` orders, `C000001` customers, `SKU0001` products,",
        "  `H0000001` chats. Order ids increase with the order time.",
        f"- **Channels**: {', '.join(f'`{c}`' for c in CHANNELS)}. Search, display and social are paid ads",
        "  (search is paid per click, so its spend is clicks times the cost per click; display and",
        "  social per thousand impressions); email, push and SMS are the store's own messages",
        "  (impressions are messages sent). Direct, organic search and recommendation traffic have",
        "  no spend (only sessions); the platform's free traffic (organic search, recommendations)",
        "  follows the store's recent sales with a lag.",
        "- An empty cell means *missing* (for example the delivery time of a cancelled order).",
        "- **finance** is the store's own daily profit and loss, computed from the other tables:",
        "  sales are completed orders on the day they were placed, or for a festival pre-sale order",
        "  on the day its balance was paid (cancelled orders count nowhere; a forfeited pre-sale",
        "  deposit is income on the day the balance was due),",
        "  refunds and the cost of returned goods on the return day, and every margin is a share of",
        "  net sales. Each row adds up to the cent; `store.meta['costs']` has the rates used.",
        "- The files are in `datasets/` as CSV (for a spreadsheet) and Parquet, with a `MANIFEST.json`",
        "  (seed, generator version, row counts, checksums).",
        "",
        "## How the tables join",
        "",
        f"```{{figure}} {diagram}",
        ":name: data-dictionary-joins",
        ":alt: Diagram of the store's tables and the keys that join them",
        "",
        "Tables and their keys. Lines join a foreign key to the table it refers to; tables with a",
        "date column also join the calendar on that date.",
        "```",
        "",
        "| table | one row per | primary key | joins to |",
        "|---|---|---|---|",
    ]
    for t in SCHEMA.values():
        joins = "; ".join(f"`{', '.join(c)}` → {ref}" for c, ref, _ in t.foreign_keys) or "-"
        ref = f"{{ref}}`{t.name} <{LABEL}-{t.name.replace('_', '-')}>`"
        grain = _esc(t.grain.removeprefix("one row per "))
        out.append(f"| {ref} | {grain} | `{', '.join(t.primary_key)}` | {_esc(joins)} |")
    out.append("")
    out.append("## Tables")
    out.append("")
    for t in SCHEMA.values():
        out += [
            f"({LABEL}-{t.name.replace('_', '-')})=",
            f"### {t.name}",
            "",
            f"One row per {_esc(t.grain.removeprefix('one row per '))}. Primary key: `{', '.join(t.primary_key)}`.",
        ]
        for cols, ref, ref_cols in t.foreign_keys:
            out.append(f"`{', '.join(cols)}` refers to `{ref}({', '.join(ref_cols)})`.")
        out += ["", "| column | type | unit | meaning |", "|---|---|---|---|"]
        for c in t.columns:
            meaning = c.meaning + (" (may be empty)" if c.nullable else "")
            if c.allowed is not None and c.type == "string" and len(c.allowed) <= 8:
                vals = ", ".join(f"`{v}`" if v != "" else "empty" for v in c.allowed)
                if vals not in meaning:
                    meaning += f". Values: {vals}"
            out.append(f"| `{c.name}` | {c.type} | {_esc(c.unit)} | {_esc(meaning)} |")
        out.append("")
    out += [
        *ANSWERS_SECTION,
    ]
    return "\n".join(out)


def draw_diagram(path) -> Path:
    """Draw the join diagram (tables as boxes, keys as lines) to an SVG file."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    plt.rcParams["svg.hashsalt"] = "storeops-data-dictionary"
    fig, ax = plt.subplots(figsize=(12.5, 9.4))
    ax.set_xlim(-1.5, 10.5)
    ax.set_ylim(-3.1, 5.9)
    ax.axis("off")

    def edge(a: str, b: str, style: str, text: str) -> None:
        (x1, y1), (x2, y2) = LAYOUT[a], LAYOUT[b]
        ax.plot(
            [x1, x2],
            [y1, y2],
            linestyle=style,
            color="#555555" if style == "-" else "#aaaaaa",
            linewidth=1.4 if style == "-" else 0.9,
            zorder=1,
        )
        if text:
            ax.text(
                (x1 + x2) / 2,
                (y1 + y2) / 2,
                text,
                fontsize=7,
                ha="center",
                va="center",
                color="#333333",
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none"),
                zorder=2,
            )

    for name, t in SCHEMA.items():
        for cols, ref, _ in t.foreign_keys:
            edge(name, ref, "-", ", ".join(cols))
    for name, (x, y) in LAYOUT.items():
        t = SCHEMA[name]
        ax.add_patch(
            FancyBboxPatch(
                (x - BOX_W / 2, y - BOX_H / 2),
                BOX_W,
                BOX_H,
                boxstyle="round,pad=0.05",
                fc="#eef4fb",
                ec="#2b5d8a",
                linewidth=1.2,
                zorder=3,
            )
        )
        ax.text(
            x, y + 0.32, name, ha="center", va="center", fontsize=10, fontweight="bold", zorder=4
        )
        ax.text(
            x,
            y - 0.12,
            "key: " + ", ".join(t.primary_key),
            ha="center",
            va="center",
            fontsize=7.5,
            zorder=4,
        )
        dated = name != "calendar" and any(
            c.name == "date" or c.name in ("return_date", "review_date", "order_date")
            for c in t.columns
        )
        note = f"{len(t.columns)} columns" + ("; date joins calendar" if dated else "")
        ax.text(
            x, y - 0.38, note, ha="center", va="center", fontsize=6.5, color="#555555", zorder=4
        )
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return path


def write_page(path) -> Path:
    """Write the data-dictionary page (MyST Markdown) and its join diagram (SVG) beside it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    draw_diagram(path.parent / DIAGRAM_NAME)
    text = page_text(DIAGRAM_NAME)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return path


if __name__ == "__main__":
    print(write_page(sys.argv[1] if len(sys.argv) > 1 else "book/appendix/data_dictionary.md"))
