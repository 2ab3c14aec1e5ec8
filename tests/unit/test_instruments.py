"""Scoring against worked examples, every band edge, missing-item rules, file validation."""
import pytest

from companion import instruments
from companion.instruments import InstrumentError, parse, score


def phq(values):
    return {str(i): v for i, v in enumerate(values, start=1)}


@pytest.mark.parametrize("total,band", [(0, "Minimal"), (4, "Minimal"), (5, "Mild"), (9, "Mild"),
                                        (10, "Moderate"), (14, "Moderate"),
                                        (15, "Moderately severe"), (19, "Moderately severe"),
                                        (20, "Severe"), (27, "Severe")])
def test_phq9_band_edges(total, band):
    inst = instruments.get("phq9")
    answers = [min(3, max(0, total - 3 * i)) for i in range(9)]
    result = score(inst, phq(answers))
    assert result.values["total"] == total
    assert inst.scales[0].band(total).label == band


@pytest.mark.parametrize("total,band", [(0, "Minimal"), (4, "Minimal"), (5, "Mild"), (9, "Mild"),
                                        (10, "Moderate"), (14, "Moderate"), (15, "Severe"),
                                        (21, "Severe")])
def test_gad7_band_edges(total, band):
    inst = instruments.get("gad7")
    answers = [min(3, max(0, total - 3 * i)) for i in range(7)]
    assert score(inst, phq(answers)).values["total"] == total
    assert inst.scales[0].band(total).label == band


def test_phq9_worked_example():
    # 1,2,1,3,0,1,2,0,0 -> 10, moderate; item 10 (difficulty) is not scored
    result = score(instruments.get("phq9"), {**phq([1, 2, 1, 3, 0, 1, 2, 0, 0]), "10": 2})
    assert result.values == {"total": 10} and result.risk_items == ()


def test_item9_above_zero_is_a_risk_answer_and_zero_is_not():
    inst = instruments.get("phq9")
    assert score(inst, phq([0] * 8 + [1])).risk_items == ("9",)
    assert score(inst, phq([0] * 8 + [0])).risk_items == ()
    assert score(inst, {**phq([0] * 8), "9": None}).risk_items == ()


def test_phq9_prorates_up_to_two_skipped_items_then_gives_no_total():
    inst = instruments.get("phq9")
    one_skipped = {**phq([2] * 9), "5": None}          # 16 over 8 answered -> 18
    two_skipped = {**phq([1] * 9), "5": None, "6": None}  # 7 over 7 -> 9
    three_skipped = {**phq([3] * 9), "1": None, "2": None, "3": None}
    assert score(inst, one_skipped).values["total"] == 18
    assert score(inst, two_skipped).values["total"] == 9
    assert score(inst, three_skipped).values["total"] is None
    assert score(inst, three_skipped).missing["total"] == 3


def test_gad7_prorates_one_skipped_item_only():
    inst = instruments.get("gad7")
    assert score(inst, {**phq([2] * 7), "3": None}).values["total"] == 14
    assert score(inst, {**phq([2] * 7), "3": None, "4": None}).values["total"] is None


def bam(**scores):
    base = {i.id: 0 for i in instruments.get("bam").items("30")}
    return {**base, **{k.lstrip("q"): v for k, v in scores.items()}}


def test_bam_subscales_worked_example():
    inst = instruments.get("bam")
    answers = bam(q1=2, q2=1, q3=3, q4=1, q5=0, q6=2, q8=2, q9=3, q10=1, q11=2, q12=0, q13=4,
                  q14=4, q15=1, q16=3, q17=2)
    answers["7E"] = 2  # item 7 is unscored elaboration of item 6
    result = score(inst, answers, "30")
    assert result.values == {"use": 3, "risk": 2 + 1 + 3 + 2 + 2 + 1, "protective": 3 + 1 + 0 + 4 + 4 + 3}
    scales = {s.id: s for s in inst.scales}
    assert scales["use"].band(3).label == "Use reported"
    assert scales["risk"].band(11).label == "Lower" and scales["risk"].band(12).label == "Concern"
    assert scales["protective"].band(12).label == "Concern"
    assert scales["protective"].band(13).label == "Stronger"
    assert scales["use"].band(0).label == "No use"


def test_bam_skipped_item_leaves_only_its_subscale_incomplete():
    result = score(instruments.get("bam"), {**bam(q4=1), "11": None}, "30")
    assert result.values["risk"] is None and result.values["use"] == 1
    assert result.values["protective"] == 0


def test_bam_forms_fill_in_their_window_and_day_groups():
    inst = instruments.get("bam")
    assert inst.items("30")[3].text.startswith("In the past 30 days, how many days did you drink")
    assert [o.label for o in inst.items("30")[3].options] == ["0", "1–3", "4–8", "9–15", "16–30"]
    seven = inst.items("7")[3]
    assert seven.text.startswith("In the past 7 days") and seven.options[-1].label == "5–7"
    assert len(inst.items("30")) == 23  # 17 items, item 7 in seven parts


def test_answers_outside_the_options_are_refused():
    with pytest.raises(InstrumentError, match="not an answer"):
        score(instruments.get("phq9"), {"1": 7})
    with pytest.raises(InstrumentError, match="no item"):
        score(instruments.get("phq9"), {"99": 1})


def test_every_instrument_file_is_valid():
    assert set(instruments.load_all()) == {"phq9", "gad7", "bam"}
    for inst in instruments.load_all().values():
        assert inst.reference and inst.items(next(iter(inst.forms), ""))


def test_a_broken_file_names_the_file_and_field(tmp_path):
    bad = tmp_path / "broken.toml"
    bad.write_text('id = "x"\ntitle = "X"\nname = "X"\ninstructions = "i"\nreference = "r"\n'
                   '[option_sets]\nyn = [{label="No", score=0}]\n'
                   '[[items]]\nid = "1"\ntext = "t"\noptions = "yn"\n'
                   '[[scales]]\nid = "t"\nlabel = "T"\nitems = ["1"]\nmin = 0\nmax = 3\n'
                   'bands = [{low=0, high=1, label="a", meaning="m"}]\n')
    with pytest.raises(InstrumentError, match=r"broken.toml: scales\[1\].bands"):
        parse(bad)
    bad.write_text('id = "x"\n')
    with pytest.raises(InstrumentError, match="broken.toml: top level: missing field 'title'"):
        parse(bad)
