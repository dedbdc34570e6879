# SPDX-License-Identifier: MIT
"""Words of policy authoring: inheritance (patch, cite_map, results), new-year, fmt, parameter spellings."""

WORDS = {
    "authoring.base_version": ("継承元 {policy} {year}", "the base {policy} {year}"),
    "authoring.name_clash_base": (
        "{kind} {name} は{base}ですでに定義されています（{at}）。置き換えるには override: {section}: の下に、"
        "一部だけ変えるには patch: {section}: の下に書いてください",
        "{kind} {name} is already defined by {base} ({at}); to replace it, put it under override: {section}:, "
        "to change part of it, under patch: {section}:"),
    "authoring.patch_missing": (
        "{kind} {name} を patch できません: {base}にそのような{kind}はありません",
        "cannot patch {kind} {name}: {base} has no such {kind}"),
    "authoring.field_clash": (
        "項目 {name} はすでにあります。項目の変更は override: facts: で事実全体を置き換えてください",
        "field {name} is already there; to change a field, replace the whole fact under override: facts:"),
    "authoring.result_missing": (
        "公開する結果 {name} を削除できません: {base}の results にありません",
        "cannot drop result {name}: it is not among the results of {base}"),
    "authoring.result_clash": (
        "結果 {name} はすでに公開されています", "result {name} is already public"),
    "authoring.source_missing": (
        "根拠文書 {name} を削除できません: {base}にそのような文書はありません",
        "cannot drop source {name}: {base} has no such source"),
    "authoring.source_still_cited": (
        "根拠文書 {name} は削除されましたが、{user} がまだ引用しています。cite_map: で引用を付け替えるか、"
        "patch: で cite を書き換えてください",
        "source {name} is dropped but {user} still cites it; re-point its citations with cite_map: "
        "or patch its cite"),
    "authoring.patch_fields": (
        "fields: で項目を足せるのは record の事実か、record のリストの事実だけです",
        "fields: can add fields only to a record fact or a list of records"),
    "authoring.cite_map_unused": (
        "この cite_map の from に合う継承した引用がありません",
        "no inherited citation matches this cite_map entry's from"),
    "authoring.show.part.patch": ("{key}: {at}（patch で変更）", "{key}: {at} (patched)"),
    "authoring.show.part.cite_map": ("{key}: {at}（cite_map で付け替え）", "{key}: {at} (re-pointed by cite_map)"),
    "authoring.param_spelling": (
        "パラメータの値「{value}」は数として読めません。9/10、90%、0.9 のように半角で書いてください（文字列なら type: text）",
        "parameter value \"{value}\" cannot be read as a number; write it as 9/10, 90% or 0.9 "
        "in ASCII digits (or declare type: text)"),
}
