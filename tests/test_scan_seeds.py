"""The seeds end to end: the acceptance criterion of the foundation issue."""

from __future__ import annotations

import json

from conftest import COPY_AFP, INDEPENDENT, REWRITE_AFP, SOURCE_AFP

from syndicate import read_articles, scan


def test_seeds_form_one_cluster_of_the_afp_story(seeds_dir) -> None:
    result = scan(read_articles([seeds_dir]))
    assert result.articles == 5
    (cluster,) = result.clusters
    assert set(cluster.members) == {SOURCE_AFP, COPY_AFP, REWRITE_AFP}
    assert cluster.source == SOURCE_AFP
    kinds = {frozenset((link.a, link.b)): link.kind for link in cluster.links}
    assert kinds[frozenset((SOURCE_AFP, COPY_AFP))] == "copy"
    assert kinds[frozenset((SOURCE_AFP, REWRITE_AFP))] == "rewrite"
    for independent in INDEPENDENT:
        assert independent not in cluster.members


def test_the_copy_is_found_although_its_document_jaccard_is_low(seeds_dir) -> None:
    result = scan(read_articles([seeds_dir]))
    (copy,) = [link for link in result.clusters[0].links if link.kind == "copy"]
    assert copy.jaccard < 0.35  # what a document-level LSH at 0.8 would need to see
    assert copy.passages <= 3 and copy.unquoted_words >= 200  # long aligned runs, not scattered matches
    assert copy.a_in_b > 0.85 > 0.6 > copy.b_in_a  # 002 is contained in 003, not the reverse


def test_labels_file_describes_the_seeds(seeds_dir) -> None:
    labels = json.loads((seeds_dir / "labels.json").read_text())
    ids = {path.stem for path in seeds_dir.glob("*.txt")}
    assert {pair["a"] for pair in labels["pairs"]} | {pair["b"] for pair in labels["pairs"]} <= ids
    positives = {frozenset((p["a"], p["b"])): p["subtype"] for p in labels["pairs"] if p["label"] == "positive"}
    assert positives[frozenset((SOURCE_AFP, COPY_AFP))] == "edited"
    assert positives[frozenset((SOURCE_AFP, REWRITE_AFP))] == "rewritten"


def test_chinese_japanese_and_mixed_script_copies_are_found_and_an_unrelated_chinese_story_is_not() -> None:
    from syndicate import Article, scan

    zh = ["中国国家统计局周三公布的数据显示，今年第三季度国内生产总值同比增长百分之四点九，略高于市场预期。",
          "分析人士认为，消费和服务业的回暖是经济增长的主要动力，但房地产市场仍然疲软。",
          "统计局发言人表示，下一阶段将继续加大宏观政策调控力度，巩固经济回升向好的态势。"]
    ja = ["日本銀行は火曜日、金融政策決定会合で短期金利をマイナス〇・一パーセントに据え置くことを決めた。",
          "植田総裁は記者会見で、賃金と物価の好循環が強まっているかを見極める必要があると述べた。",
          "市場では、年内にも追加の政策修正があるとの見方が広がっている。"]
    other = ["上海证券交易所周四宣布，将对部分上市公司的信息披露违规行为展开调查，涉及多家科技企业。",
             "交易所表示，投资者应当理性投资，注意防范市场风险。"]
    mixed = ["Xi Jinping (习近平) met Joe Biden in San Francisco on Wednesday, Xinhua (新华社) reported.",
             "The two leaders discussed trade, Taiwan and fentanyl, according to a readout from Beijing."]
    result = scan([Article("zh", tuple(zh)), Article("zh-copy", (*zh, "本文来源：新华社。编辑：王明。")),
                   Article("ja", tuple(ja)), Article("ja-copy", ("【ロイター】", *ja)),
                   Article("zh-other", tuple(other)), Article("mixed", tuple(mixed)),
                   Article("mixed-copy", (mixed[0], "Reporting by staff.", mixed[1]))])
    kinds = {frozenset((link.a, link.b)): link.kind for cluster in result.clusters for link in cluster.links}
    assert kinds == {frozenset(("zh", "zh-copy")): "copy", frozenset(("ja", "ja-copy")): "copy",
                     frozenset(("mixed", "mixed-copy")): "copy"}
