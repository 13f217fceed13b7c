"""The data contract: every table's columns (type, unit, meaning), keys, and `validate(store)`.

Types: ``string`` (ids and labels), ``datetime`` (datetime64; dates at midnight), ``int``,
``float``, ``bool``.  Money is in CNY (yuan) as float; ids are strings with a prefix
(``O0000001`` orders, ``C000001`` customers, ``SKU0001`` products, ``H0000001`` chats,
``CP001`` campaigns).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from storeops.errors import StoreOpsError
from storeops.sim.calendar import HOLIDAYS
from storeops.sim.params import CHANNELS, DEVICES, FESTIVALS, PHASES


class SchemaError(StoreOpsError):
    """A table breaks the data contract."""


@dataclass(frozen=True)
class Column:
    """One column of the contract."""

    name: str
    type: str  # string | datetime | int | float | bool
    unit: str
    meaning: str
    nullable: bool = False
    allowed: tuple | None = None
    min: float | None = None


@dataclass(frozen=True)
class Table:
    """One table of the contract: grain, columns, primary key and foreign keys."""

    name: str
    grain: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = field(
        default_factory=tuple
    )

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


C = Column


def _stars(name: str, what: str) -> Column:
    """A 1-5 star rating column."""
    return C(name, "int", "stars", f"{what} from 1 (worst) to 5 (best)", allowed=(1, 2, 3, 4, 5))


def _texts(name: str, what: str) -> tuple[Column, Column]:
    """A customer's text and the language it is written in."""
    return (
        C(name, "string", "text", what),
        C(
            "language",
            "string",
            "-",
            "the language the customer wrote in: zh (Chinese) or en (English); a buyer "
            "writes every text about an order in one language",
            allowed=("zh", "en"),
        ),
    )


FEST = ("", *FESTIVALS)
PHASE = ("", *PHASES)

SCHEMA: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "calendar",
            "one row per day of the simulated period",
            (
                C("date", "datetime", "day", "the day"),
                C(
                    "weekday",
                    "string",
                    "-",
                    "day of the week (Monday ... Sunday)",
                    allowed=(
                        "Monday",
                        "Tuesday",
                        "Wednesday",
                        "Thursday",
                        "Friday",
                        "Saturday",
                        "Sunday",
                    ),
                ),
                C("is_weekend", "bool", "-", "Saturday or Sunday"),
                C(
                    "festival",
                    "string",
                    "-",
                    "shopping festival the day belongs to: 618, 99, double11, double12 or empty",
                    allowed=FEST,
                ),
                C(
                    "festival_phase",
                    "string",
                    "-",
                    "presale (warm-up), peak (the festival day) or dip (after the festival), empty outside festivals",
                    allowed=PHASE,
                ),
                C(
                    "holiday",
                    "string",
                    "-",
                    "public holiday: chinese_new_year (New Year's Eve to the 7th day of the lunar year), national_day (1-7 October, couriers are slower) or empty",
                    allowed=("", *HOLIDAYS),
                ),
                C(
                    "logistics_stop",
                    "bool",
                    "-",
                    "couriers do not deliver and suppliers do not ship (about 12 days around Chinese New Year); orders still come in and are delivered after the stop",
                ),
            ),
            ("date",),
        ),
        Table(
            "products",
            "one row per SKU (stock-keeping unit)",
            (
                C("sku", "string", "-", "product id, SKU0001 ..."),
                C("name", "string", "-", "product name"),
                C(
                    "category",
                    "string",
                    "-",
                    "product category (apparel, beauty, home, electronics, food, baby, sports, books)",
                ),
                C("list_price", "float", "CNY", "regular selling price before promotions", min=0),
                C("unit_cost", "float", "CNY", "purchase cost per unit", min=0),
                C(
                    "launch_date",
                    "datetime",
                    "day",
                    "day the SKU went on sale (may precede the period)",
                ),
                C(
                    "bundle_partner",
                    "string",
                    "-",
                    "SKU usually bought together with this one (bundle items only)",
                    nullable=True,
                ),
                C(
                    "season_end",
                    "datetime",
                    "day",
                    "a fashion item's last day on sale in the period: then its stock left is written down (see inventory.written_down); empty for other SKUs",
                    nullable=True,
                ),
            ),
            ("sku",),
        ),
        Table(
            "competitor_prices",
            "one row per SKU and week: the main competitor's price for the same product",
            (
                C("date", "datetime", "day", "first day of the week the price was observed"),
                C("sku", "string", "-", "product id"),
                C(
                    "competitor_price",
                    "float",
                    "CNY",
                    "competitor's selling price that week",
                    min=0,
                ),
            ),
            ("date", "sku"),
            ((("sku",), "products", ("sku",)),),
        ),
        Table(
            "traffic",
            "one row per day and channel",
            (
                C("date", "datetime", "day", "the day"),
                C(
                    "channel",
                    "string",
                    "-",
                    "traffic source: search, display, social (paid ads), email, push, sms (owned messages), direct (typed-in, bookmarks, app)",
                    allowed=CHANNELS,
                ),
                C(
                    "spend",
                    "float",
                    "CNY",
                    "money spent on the channel that day (ads bought; cost of messages sent); 0 for direct",
                    min=0,
                ),
                C(
                    "impressions",
                    "int",
                    "count",
                    "ad impressions (paid channels) or messages sent (email, push, sms); 0 for direct",
                    min=0,
                ),
                C("clicks", "int", "count", "clicks on ads or messages; 0 for direct", min=0),
                C("sessions", "int", "count", "visits to the store from the channel", min=0),
            ),
            ("date", "channel"),
        ),
        Table(
            "funnel",
            "one row per day, channel and device: the purchase funnel",
            (
                C("date", "datetime", "day", "the day"),
                C("channel", "string", "-", "traffic source", allowed=CHANNELS),
                C("device", "string", "-", "mobile or desktop", allowed=DEVICES),
                C("sessions", "int", "count", "visits", min=0),
                C("product_views", "int", "count", "product detail pages viewed", min=0),
                C("add_to_carts", "int", "count", "items added to a cart", min=0),
                C("orders", "int", "count", "orders placed (completed or later cancelled)", min=0),
            ),
            ("date", "channel", "device"),
            ((("date", "channel"), "traffic", ("date", "channel")),),
        ),
        Table(
            "ab_tests",
            "one row per day and banner variant of the display A/B test",
            (
                C("date", "datetime", "day", "the day"),
                C("channel", "string", "-", "channel the test ran on", allowed=CHANNELS),
                C("variant", "string", "-", "banner variant A or B", allowed=("A", "B")),
                C("impressions", "int", "count", "impressions of the variant", min=0),
                C("clicks", "int", "count", "clicks on the variant", min=0),
                C(
                    "orders",
                    "int",
                    "count",
                    "orders the ad platform attributes to the variant",
                    min=0,
                ),
            ),
            ("date", "channel", "variant"),
        ),
        Table(
            "customers",
            "one row per customer (buyers in the period and earlier buyers still active at its start)",
            (
                C("customer_id", "string", "-", "customer id, C000001 ..."),
                C(
                    "first_order_time",
                    "datetime",
                    "timestamp",
                    "time of the customer's first order ever (before the period for earlier customers)",
                ),
                C(
                    "acquisition_channel",
                    "string",
                    "-",
                    "channel of the first order ('unknown' for customers acquired before the period)",
                    allowed=(*CHANNELS, "unknown"),
                ),
                C(
                    "acquired_in_festival",
                    "bool",
                    "-",
                    "first order placed in a festival's presale or peak",
                ),
            ),
            ("customer_id",),
        ),
        Table(
            "orders",
            "one row per order",
            (
                C("order_id", "string", "-", "order id, O0000001 ... (increasing with time)"),
                C("customer_id", "string", "-", "who ordered"),
                C("order_time", "datetime", "timestamp", "when the order was placed"),
                C(
                    "channel",
                    "string",
                    "-",
                    "traffic source of the session that ordered",
                    allowed=CHANNELS,
                ),
                C("device", "string", "-", "mobile or desktop", allowed=DEVICES),
                C(
                    "revenue",
                    "float",
                    "CNY",
                    "amount paid: sum of the lines' quantity x unit_price minus discount",
                    min=0,
                ),
                C("discount", "float", "CNY", "store coupon deducted from the order", min=0),
                C(
                    "status",
                    "string",
                    "-",
                    "completed or cancelled (cancelled orders were not shipped or paid; a pre-sale order whose balance was never paid is cancelled and keeps only its deposit)",
                    allowed=("completed", "cancelled"),
                ),
                C(
                    "delivery_days",
                    "int",
                    "days",
                    "days from order to delivery (empty for cancelled orders; a pre-sale order ships after its balance is paid)",
                    nullable=True,
                    min=0,
                ),
                C(
                    "presale",
                    "bool",
                    "-",
                    "a festival pre-sale order (定金/尾款): a deposit when ordered, the balance on the festival's peak day",
                ),
                C(
                    "deposit",
                    "float",
                    "CNY",
                    "pre-sale deposit paid when the order was placed, part of revenue (0 for other orders); forfeited if the balance was never paid",
                    min=0,
                ),
                C(
                    "balance_date",
                    "datetime",
                    "day",
                    "day the pre-sale balance was due: paid then for a completed order, never for a cancelled one (empty for other orders)",
                    nullable=True,
                ),
            ),
            ("order_id",),
            ((("customer_id",), "customers", ("customer_id",)),),
        ),
        Table(
            "order_lines",
            "one row per order and SKU",
            (
                C("order_id", "string", "-", "order id"),
                C("sku", "string", "-", "product id"),
                C("quantity", "int", "units", "units bought", min=1),
                C(
                    "unit_price",
                    "float",
                    "CNY",
                    "selling price per unit that day (list price minus any promotion)",
                    min=0,
                ),
            ),
            ("order_id", "sku"),
            ((("order_id",), "orders", ("order_id",)), (("sku",), "products", ("sku",))),
        ),
        Table(
            "inventory",
            "one row per day and launched SKU: end-of-day stock",
            (
                C("date", "datetime", "day", "the day"),
                C("sku", "string", "-", "product id"),
                C(
                    "stock_on_hand",
                    "int",
                    "units",
                    "units in the warehouse at the end of the day",
                    min=0,
                ),
                C("receipts", "int", "units", "units received from the supplier that day", min=0),
                C(
                    "units_sold",
                    "int",
                    "units",
                    "units of completed orders shipped from the warehouse that day (member-campaign offers ship from the supplier)",
                    min=0,
                ),
                C(
                    "written_down",
                    "int",
                    "units",
                    "units sent to an outlet at a season end, after the day's sales (a fashion item's whole stock on its products.season_end; a seasonal category's stock beyond the next 30 days' expected demand on the category's season end)",
                    min=0,
                ),
                C(
                    "stockout",
                    "bool",
                    "-",
                    "the SKU ran out that day (demand beyond the stock was lost and is not in the orders)",
                ),
            ),
            ("date", "sku"),
            ((("sku",), "products", ("sku",)),),
        ),
        Table(
            "purchase_orders",
            "one row per purchase order the store placed with a supplier; it arrives whole, on one day",
            (
                C("po_id", "string", "-", "purchase order id, PO000001 ... (in order of placing)"),
                C("order_date", "datetime", "day", "day the order was placed"),
                C("sku", "string", "-", "product id"),
                C("supplier", "string", "-", "supplier id, S01 ..."),
                C("quantity", "int", "units", "units ordered (all arrive together)", min=1),
                C(
                    "promised_arrival",
                    "datetime",
                    "day",
                    "day the supplier promised delivery (its quoted lead time in working days, after any logistics stop)",
                ),
                C(
                    "actual_arrival",
                    "datetime",
                    "day",
                    "day the goods arrived and were added to the inventory's receipts; empty if not arrived by the last day",
                    nullable=True,
                ),
                C("unit_cost", "float", "CNY", "purchase cost per unit", min=0),
            ),
            ("po_id",),
            ((("sku",), "products", ("sku",)),),
        ),
        Table(
            "service_staffing",
            "one row per day and hour: the customer-service agents on duty",
            (
                C("date", "datetime", "day", "the day"),
                C("hour", "int", "hour", "hour of the day (0 = 00:00-00:59)", min=0),
                C("agents", "int", "agents", "agents on duty in that hour", min=0),
            ),
            ("date", "hour"),
        ),
        Table(
            "service_chats",
            "one row per customer-service chat (pre-sale question or after-sale contact)",
            (
                C("chat_id", "string", "-", "chat id, H0000001 ..."),
                C(
                    "customer_id",
                    "string",
                    "-",
                    "customer, empty for visitors who never ordered",
                    nullable=True,
                ),
                C("chat_time", "datetime", "timestamp", "when the customer opened the chat"),
                C(
                    "kind",
                    "string",
                    "-",
                    "pre-sale (a question before buying) or after-sale (about a delivered or returned order)",
                    allowed=("pre-sale", "after-sale"),
                ),
                C(
                    "agent_id",
                    "string",
                    "-",
                    "the agent who answered (A001 ...); empty if the customer left first",
                    nullable=True,
                ),
                C(
                    "wait_s",
                    "float",
                    "seconds",
                    "time in the queue until an agent was free, or until the customer left (abandoned)",
                    min=0,
                ),
                C(
                    "first_response_s",
                    "float",
                    "seconds",
                    "time until the first reply of an agent; empty if the customer left before a reply",
                    nullable=True,
                    min=0,
                ),
                C(
                    "handle_s",
                    "float",
                    "seconds",
                    "agent time the chat took; empty if abandoned",
                    nullable=True,
                    min=0,
                ),
                C(
                    "outcome",
                    "string",
                    "-",
                    "resolved, escalated (passed on to a supervisor) or abandoned (left before a reply)",
                    allowed=("resolved", "escalated", "abandoned"),
                ),
                C("converted", "bool", "-", "a pre-sale chat that led to an order"),
                C(
                    "order_id",
                    "string",
                    "-",
                    "the order a pre-sale chat led to, or the order an after-sale contact is about",
                    nullable=True,
                ),
                *_texts("message", "the customer's first message in the chat"),
            ),
            ("chat_id",),
            (
                (("customer_id",), "customers", ("customer_id",)),
                (("order_id",), "orders", ("order_id",)),
            ),
        ),
        Table(
            "returns",
            "one row per returned order line",
            (
                C("order_id", "string", "-", "order id"),
                C("sku", "string", "-", "product id"),
                C("return_date", "datetime", "day", "day the return was registered"),
                C("quantity", "int", "units", "units returned", min=1),
                C(
                    "reason",
                    "string",
                    "-",
                    "size_fit, defective, late_delivery, not_as_described or changed_mind",
                    allowed=(
                        "size_fit",
                        "defective",
                        "late_delivery",
                        "not_as_described",
                        "changed_mind",
                    ),
                ),
                C(
                    "refund",
                    "float",
                    "CNY",
                    "money refunded (unit price x quantity, less the order's coupon share)",
                    min=0,
                ),
                *_texts("reason_text", "the buyer's note on why the item went back"),
            ),
            ("order_id", "sku"),
            ((("order_id", "sku"), "order_lines", ("order_id", "sku")),),
        ),
        Table(
            "reviews",
            "one row per reviewed order line",
            (
                C("order_id", "string", "-", "order id"),
                C("sku", "string", "-", "product id"),
                C("review_date", "datetime", "day", "day the review was posted"),
                _stars("stars", "rating"),
                *_texts("text", "what the buyer wrote"),
            ),
            ("order_id", "sku"),
            ((("order_id", "sku"), "order_lines", ("order_id", "sku")),),
        ),
        Table(
            "campaigns",
            "one row per member campaign (a message to a target group of members, with a random hold-out)",
            (
                C("campaign_id", "string", "-", "campaign id"),
                C("name", "string", "-", "the campaign's name"),
                C("send_date", "datetime", "day", "day the messages were sent"),
                C(
                    "channel",
                    "string",
                    "-",
                    "sms, push, email or member_message (the platform's member message)",
                    allowed=("sms", "push", "email", "member_message"),
                ),
                C(
                    "target",
                    "string",
                    "-",
                    "who was targeted: members (customers who had bought and not opted out) matching the rule, counted on the orders before the send date",
                ),
                C("coupon_amount", "float", "CNY", "coupon value offered (0: no coupon)", min=0),
                C("min_spend", "float", "CNY", "the coupon's minimum order value", min=0),
                C(
                    "holdout_share",
                    "float",
                    "share",
                    "share of the targeted members held out at random",
                    min=0,
                ),
                C("targeted", "int", "members", "members the rule selected", min=0),
                C(
                    "held_out",
                    "int",
                    "members",
                    "targeted members not sent the message (the control group)",
                    min=0,
                ),
                C("sent", "int", "messages", "targeted members sent the message", min=0),
                C(
                    "opted_out",
                    "int",
                    "members",
                    "members sent it who opted out of messages",
                    min=0,
                ),
                C(
                    "redeemed",
                    "int",
                    "coupons",
                    "coupons redeemed (within 14 days of the send date)",
                    min=0,
                ),
                C("cost_per_message", "float", "CNY", "what one message costs", min=0),
                C(
                    "message_cost",
                    "float",
                    "CNY",
                    "sent x cost_per_message, booked as ad spend on the send date",
                    min=0,
                ),
            ),
            ("campaign_id",),
        ),
        Table(
            "campaign_sends",
            "one row per member a campaign targeted: sent the message or held out",
            (
                C("campaign_id", "string", "-", "campaign id"),
                C("customer_id", "string", "-", "customer id"),
                C("group", "string", "-", "sent or held_out", allowed=("sent", "held_out")),
                C("opted_out", "bool", "-", "the member opted out of messages on getting this one"),
                C(
                    "redeemed_order_id",
                    "string",
                    "-",
                    "the order on which the member used the campaign's coupon (missing: not used)",
                    nullable=True,
                ),
            ),
            ("campaign_id", "customer_id"),
            (
                (("campaign_id",), "campaigns", ("campaign_id",)),
                (("customer_id",), "customers", ("customer_id",)),
                (("redeemed_order_id",), "orders", ("order_id",)),
            ),
        ),
        Table(
            "seller_ratings",
            "one row per reviewed order: the buyer's detailed seller ratings, given with the review",
            (
                C("order_id", "string", "-", "order id"),
                C("rating_date", "datetime", "day", "day of the order's first review"),
                _stars("description", "item as described,"),
                _stars("service", "the shop's customer service,"),
                _stars("logistics", "shipping and delivery,"),
            ),
            ("order_id",),
            ((("order_id",), "orders", ("order_id",)),),
        ),
        Table(
            "finance",
            "one row per day of the simulated period: the store's profit and loss",
            (
                C("date", "datetime", "day", "the day"),
                C(
                    "orders",
                    "int",
                    "count",
                    "completed orders booked that day: placed that day, or for a pre-sale order, its balance paid that day (cancelled orders were never shipped and count nowhere)",
                    min=0,
                ),
                C(
                    "gross_sales",
                    "float",
                    "CNY",
                    "completed orders booked that day: sum of their lines' quantity x unit_price (promotions already in the price)",
                    min=0,
                ),
                C(
                    "discounts",
                    "float",
                    "CNY",
                    "coupon cost: orders.discount of the completed orders booked that day (gross_sales - discounts = orders.revenue)",
                    min=0,
                ),
                C(
                    "refunds",
                    "float",
                    "CNY",
                    "returns.refund of the returns registered that day (booked on return_date)",
                    min=0,
                ),
                C(
                    "forfeited_deposits",
                    "float",
                    "CNY",
                    "deposits of pre-sale orders whose balance was never paid, kept by the store (booked on balance_date)",
                    min=0,
                ),
                C(
                    "net_sales",
                    "float",
                    "CNY",
                    "gross_sales - discounts - refunds + forfeited_deposits; every margin is a share of net sales",
                ),
                C(
                    "cogs",
                    "float",
                    "CNY",
                    "cost of goods: units of the day's completed orders x products.unit_cost, less the cost of the units returned that day",
                ),
                C(
                    "commission",
                    "float",
                    "CNY",
                    "platform commission: the category's rate (2-5 %) on each line's amount paid (coupon shared by line value), less the same rate on the day's refunds",
                ),
                C(
                    "payment_fees",
                    "float",
                    "CNY",
                    "payment fee (0.6 %) on the amount paid (orders.revenue of completed orders); not refunded",
                    min=0,
                ),
                C(
                    "shipping",
                    "float",
                    "CNY",
                    "courier cost: one parcel per completed order x cost per parcel",
                    min=0,
                ),
                C(
                    "returns_handling",
                    "float",
                    "CNY",
                    "return postage and inspection: one parcel per order with returns that day x cost per returned parcel",
                    min=0,
                ),
                C(
                    "write_offs",
                    "float",
                    "CNY",
                    "cost (unit_cost x quantity) of returned units that cannot be restocked (reason defective)",
                    min=0,
                ),
                C(
                    "write_downs",
                    "float",
                    "CNY",
                    "season-end write-downs: inventory.written_down x unit_cost x (1 - the outlet's salvage share, 30 %)",
                    min=0,
                ),
                C(
                    "ad_spend",
                    "float",
                    "CNY",
                    "traffic.spend of the day over all channels (ads bought, messages sent)",
                    min=0,
                ),
                C(
                    "holding",
                    "float",
                    "CNY",
                    "holding cost: yearly rate (20 %) / 365 x end-of-day stock value at cost (inventory.stock_on_hand x unit_cost)",
                    min=0,
                ),
                C(
                    "staff",
                    "float",
                    "CNY",
                    "daily payroll plus the service agents' wages (service_staffing.agents of the day x wage per agent-hour)",
                    min=0,
                ),
                C("fixed", "float", "CNY", "daily fixed costs (rent, software, shop fees)", min=0),
                C("gross_profit", "float", "CNY", "net_sales - cogs"),
                C(
                    "contribution",
                    "float",
                    "CNY",
                    "gross_profit - commission - payment_fees - shipping - returns_handling - write_offs - write_downs - ad_spend - holding",
                ),
                C("net_profit", "float", "CNY", "contribution - staff - fixed"),
            ),
            ("date",),
        ),
    )
}

_KIND = {
    "string": pd.api.types.is_string_dtype,
    "datetime": pd.api.types.is_datetime64_any_dtype,
    "int": pd.api.types.is_integer_dtype,
    "float": pd.api.types.is_float_dtype,
    "bool": pd.api.types.is_bool_dtype,
}


def isin(values: pd.Series, allowed) -> np.ndarray:
    """Fast membership test (pyarrow) for string and numeric columns."""
    allowed = pa.array(
        pd.Series(list(allowed) if not isinstance(allowed, pd.Series) else allowed).unique()
    )
    try:
        return np.asarray(
            pc.is_in(pa.array(values), value_set=allowed.cast(pa.array(values).type)), dtype=bool
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return values.isin(allowed.to_pylist()).to_numpy()


def validate_table(name: str, df: pd.DataFrame) -> None:
    """Check one table against its schema; raise SchemaError naming the table and column."""
    t = SCHEMA[name]
    missing = [c for c in t.column_names if c not in df.columns]
    if missing:
        raise SchemaError(f"{name}: missing column {missing[0]!r}")
    extra = [c for c in df.columns if c not in t.column_names]
    if extra:
        raise SchemaError(f"{name}: unexpected column {extra[0]!r}")
    for c in t.columns:
        s = df[c.name]
        if not _KIND[c.type](s.dtype):
            raise SchemaError(f"{name}.{c.name}: expected {c.type}, got {s.dtype}")
        na = s.isna()
        if not c.nullable and na.any():
            raise SchemaError(f"{name}.{c.name}: {int(na.sum())} missing values")
        v = s[~na]
        if c.allowed is not None and len(v):
            bad = ~isin(v, c.allowed)
            if bad.any():
                raise SchemaError(f"{name}.{c.name}: value {v[bad].iloc[0]!r} not in {c.allowed}")
        if c.min is not None and len(v) and (v < c.min).any():
            raise SchemaError(f"{name}.{c.name}: values below {c.min}")
    if df.duplicated(list(t.primary_key)).any():
        raise SchemaError(f"{name}: duplicate primary key {t.primary_key}")


def validate(store) -> None:
    """Validate every table of `store` (types, keys, foreign keys, accounting identities)."""
    for name in SCHEMA:
        if name not in store.tables:
            raise SchemaError(f"table {name!r} missing")
        validate_table(name, store.tables[name])
    tabs = store.tables
    for name, t in SCHEMA.items():
        for cols, ref, ref_cols in t.foreign_keys:
            child = tabs[name][list(cols)].dropna()
            parent = tabs[ref][list(ref_cols)]
            if len(cols) == 1:
                ok = isin(child[cols[0]], parent[ref_cols[0]])
            else:
                ok = pd.MultiIndex.from_frame(child).isin(pd.MultiIndex.from_frame(parent))
            if not np.all(ok):
                raise SchemaError(
                    f"{name}{list(cols)} has values missing from {ref}{list(ref_cols)}"
                )
    o, ol = tabs["orders"], tabs["order_lines"]
    gross = (
        (ol["quantity"] * ol["unit_price"])
        .groupby(ol["order_id"])
        .sum()
        .reindex(o["order_id"])
        .to_numpy()
    )
    if not np.allclose(gross - o["discount"].to_numpy(), o["revenue"].to_numpy(), atol=0.011):
        raise SchemaError("orders.revenue differs from the sum of its lines minus the discount")
    fin = tabs["finance"]
    if (
        len(fin) != len(tabs["calendar"])
        or not (fin["date"].to_numpy() == tabs["calendar"]["date"].to_numpy()).all()
    ):
        raise SchemaError("finance: not one row per calendar day")
    # completed orders booked inside the run (a pre-sale balance may fall after its end)
    booked = o["order_time"].where(o["balance_date"].isna(), o["balance_date"])
    done = (o["status"].to_numpy() == "completed") & (
        booked.to_numpy() <= fin["date"].max() + pd.Timedelta(days=1)
    )
    if not np.isclose(
        fin["gross_sales"].sum() - fin["discounts"].sum(),
        o["revenue"].to_numpy()[done].sum(),
        atol=0.01 * max(len(fin), 1),
    ):
        raise SchemaError(
            "finance: gross_sales - discounts differs from the completed orders' revenue"
        )
    spend = tabs["traffic"]["spend"].sum() + tabs["campaigns"]["message_cost"].sum()
    if not np.isclose(fin["ad_spend"].sum(), spend, atol=0.01 * max(len(fin), 1)):
        raise SchemaError(
            "finance.ad_spend does not add up to traffic.spend plus campaigns.message_cost"
        )
    f = tabs["funnel"]
    if (f["orders"] > f["add_to_carts"]).any():
        raise SchemaError("funnel: more orders than add-to-carts")
    n = f.groupby(["date", "channel", "device"])["orders"].sum().sum()
    if n != len(o):
        raise SchemaError("funnel.orders does not add up to the orders table")


def read_csv(path, table: str) -> pd.DataFrame:
    """Read a store table from CSV with the contract's types."""
    t = SCHEMA[table]
    dtypes, dates = {}, []
    for c in t.columns:
        if c.type == "string":
            dtypes[c.name] = "str"
        elif c.type == "int":
            dtypes[c.name] = "Int64" if c.nullable else "int64"
        elif c.type == "float":
            dtypes[c.name] = "float64"
        elif c.type == "bool":
            dtypes[c.name] = "bool"
        else:
            dates.append(c.name)
    df = pd.read_csv(
        path,
        dtype=dtypes,
        parse_dates=dates,
        keep_default_na=False,
        na_values={c.name: [""] for c in t.columns if c.nullable},
    )
    for c in t.columns:
        if c.type == "string" and not c.nullable:
            df[c.name] = df[c.name].fillna("")
        if c.type == "datetime":
            df[c.name] = df[c.name].astype("datetime64[ns]")
    return df
