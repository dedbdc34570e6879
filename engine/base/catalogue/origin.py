# SPDX-License-Identifier: MIT
"""Where a policy item came from (inheritance): shown by show, the memo and render."""
WORDS = {
    "origin.inherited": ("{policy} {year}年度から継承", "inherited from {policy} FY{year}"),
    "origin.override": ("継承元をこの年度で置き換え", "overrides the base in this year"),
    "origin.at": ("{where}（{how}）", "{where} ({how})"),
}
