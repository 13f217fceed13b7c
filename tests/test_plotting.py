from storeops.plotting import percent, yuan


def test_yuan_is_compact_and_keeps_sign():
    assert yuan(950) == "¥950"
    assert yuan(1_234) == "¥1.2k"
    assert yuan(2_500_000) == "¥2.5M"
    assert yuan(-3_000) == "¥-3.0k"


def test_percent_reads_a_share():
    assert percent(0.034) == "3.4%"
    assert percent(1) == "100.0%"
