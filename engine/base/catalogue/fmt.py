# SPDX-License-Identifier: MIT
"""Words of `yoko fmt` (the canonical layout of policy files), and its command-line help."""

WORDS = {
    "fmt.reformatted": ("整形しました: {file}", "reformatted {file}"),
    "fmt.would_reformat": ("整形が必要です: {file}", "would reformat {file}"),
    "fmt.summary.check": ("{changed} 件のファイルの整形が必要です（全 {total} 件）。yoko fmt で整形してください",
                          "{changed} of {total} files would be reformatted; run yoko fmt"),
    "fmt.summary.done": ("{changed} 件のファイルを整形しました（全 {total} 件）", "{changed} of {total} files reformatted"),
    "fmt.summary.same": ("{total} 件のファイルはすべて整形済みです", "all {total} files are already formatted"),
    "fmt.no_files": ("整形するファイルがありません", "no files to format"),
    "cli.help.fmt": ("政策・原文・テストのファイルを決まった書き方に整形します（指定がなければ政策フォルダのすべて）",
                     "format policy, source and tests files in the one canonical layout (all in the policy folders when none is given)"),
    "cli.help.fmt.paths": ("整形するファイルかフォルダ", "files or folders to format"),
    "cli.help.fmt.check": ("書き換えずに、整形が必要なファイルを一覧にして終了コード 1 で終わります",
                           "write nothing; list the files that would change and exit 1 if any"),
    "cli.help.fmt.diff": ("書き換えずに、変わる箇所を unified diff で表示します", "write nothing; print the changes as a unified diff"),
}
