"""What the clusterer sees of a stored item, and why: translated items meet English
coverage of the same event, and still meet coverage in their own language."""

from __future__ import annotations

from pulseaugur.cluster import OnlineClusterer
from pulseaugur.pipeline.pipeline import cluster_doc

from support import make_item

ENGLISH = make_item(
    1,
    source_id="techcrunch",
    title="Moonshot AI releases Kimi K3, a 2.8 trillion parameter open model",
    title_en="Moonshot AI releases Kimi K3, a 2.8 trillion parameter open model",
    body="The Beijing startup published the weights of Kimi K3 on Tuesday.",
)
OTHER = make_item(
    2,
    source_id="theverge",
    title="Apple unveils the iPhone 18 at its September event",
    title_en="Apple unveils the iPhone 18 at its September event",
    body="Apple showed new cameras and a faster chip.",
)
CHINESE = make_item(
    3,
    source_id="36kr",
    lang="zh",
    title="月之暗面发布开源大模型Kimi K3，参数规模达2.8万亿",
    title_en="Moonshot AI releases open-source large model Kimi K3 with 2.8 trillion parameters",
    body="月之暗面周二公布了Kimi K3的模型权重。",
)
CHINESE_UNTRANSLATED = make_item(
    4,
    source_id="qbitai",
    lang="zh",
    title="月之暗面开源Kimi K3大模型，参数2.8万亿",
    title_en="",
    body="月之暗面发布Kimi K3。",
)


def test_english_items_are_seen_as_they_are() -> None:
    doc = cluster_doc(ENGLISH)
    assert (doc.title, doc.body) == (ENGLISH.title, ENGLISH.body)


def test_a_translated_item_is_seen_by_its_english_title_with_the_original_leading() -> None:
    doc = cluster_doc(CHINESE)
    assert doc.title == CHINESE.title_en
    assert doc.body is not None
    assert doc.body.startswith(CHINESE.title)


def test_chinese_and_english_coverage_of_one_event_meet() -> None:
    clusterer = OnlineClusterer()
    english, other, chinese, untranslated = (
        clusterer.add(cluster_doc(item)) for item in (ENGLISH, OTHER, CHINESE, CHINESE_UNTRANSLATED)
    )
    assert other.cluster_id != english.cluster_id
    assert chinese.cluster_id == english.cluster_id
    # without a translation the shared names and numbers (Kimi K3, 2.8) still carry it
    assert untranslated.cluster_id == english.cluster_id
