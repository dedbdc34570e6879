# SPDX-License-Identifier: MIT
"""Words of the policy format as staff read them (`policy.*`): the kinds of a note, the keys of a
policy file where an output names one."""

WORDS = {
    # the kinds of a note, as every output names them -------------------------------------------
    "policy.note.note": ("注記", "note"),
    "policy.note.interpretation": ("解釈", "interpretation"),
    "policy.note.approximation": ("概数", "approximation"),
    "policy.note.discretion": ("裁量", "discretion"),
    "policy.note.defect": ("原文の不備", "defect in the source"),
    "policy.note.out_of_scope": ("対象外の事項", "out of scope"),
    # keys of a policy file, where an output names one (a diff of the title, a fact's period) -------
    "policy.field.title": ("題名", "title"),
    "policy.field.enacted": ("制定日", "enacted"),
    "policy.field.applies_from": ("適用開始日", "applies from"),
    "policy.field.jurisdiction": ("自治体", "jurisdiction"),
    "policy.field.implements": ("実施する国の事業", "implements"),
    "policy.field.extends": ("継承元", "extends"),
    "policy.field.period": ("対象期間", "period"),
    "policy.field.unit": ("単位", "unit"),
    "policy.field.type": ("型", "type"),
    "policy.field.min": ("最小値", "minimum"),
    "policy.field.max": ("最大値", "maximum"),
    "policy.field.values": ("値", "values"),
    "policy.field.value_labels": ("値のラベル", "value labels"),
    "policy.field.value": ("値", "value"),
    "policy.field.expr": ("式", "expression"),
    "policy.field.cite": ("出典", "citation"),
    "policy.field.fields": ("項目", "fields"),
    "policy.field.display_only": ("表示のみ", "display only"),
    "policy.field.file": ("ファイル", "file"),
    "policy.field.source": ("根拠文書", "source"),
    "policy.field.results": ("公開結果", "results"),
    "policy.field.reads": ("読む名前", "reads"),
    "policy.field.defined_at": ("定義の場所", "defined at"),
}
