# SPDX-License-Identifier: MIT
"""The policy cache between processes: used when nothing changed, never stale, never a cause of failure."""
from __future__ import annotations

import json
import os
import shutil

import pytest

from engine.policy import cache
from engine.evaluation.evaluate import evaluate
from engine.evaluation.facts import load_facts_file

POLICY = "policies/ibaraki/2022.yaml"
EXAMPLE = "examples/ibaraki-2022/ground-1-cost-share-smaller.yaml"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("YOKO_CACHE_DIR", str(d))
    monkeypatch.delenv("YOKO_NO_CACHE", raising=False)
    cache._MEMO.clear()
    yield d
    cache._MEMO.clear()


def new_process():
    """What a new process has: no policy in memory."""
    cache._MEMO.clear()


def _copy_policy(tmp_path) -> str:
    path = tmp_path / "ibaraki-2022.yaml"
    shutil.copy(POLICY, path)
    return str(path)


def test_a_second_load_is_served_from_the_cache_and_evaluates_the_same(cache_dir, tmp_path):
    path = _copy_policy(tmp_path)
    fresh = cache.load_policy_cached(path)
    assert len(os.listdir(cache_dir)) == 1
    new_process()
    cached = cache.get(path)
    assert cached is not None and cached is not fresh
    new_process()
    assert cache.load_policy_cached(path).rules.keys() == fresh.rules.keys()
    facts = load_facts_file(EXAMPLE, fresh)
    assert evaluate(cached, facts).to_json() == evaluate(fresh, facts).to_json()
    assert cached.rules["ground_1"].location == fresh.rules["ground_1"].location


def test_a_changed_file_is_not_served_stale_even_with_the_same_mtime(cache_dir, tmp_path):
    path = _copy_policy(tmp_path)
    assert cache.load_policy_cached(path).parameters["unit_per_bed"].value == 133000
    st = os.stat(path)
    text = open(path, encoding="utf-8").read()
    assert "    value: 133000\n" in text
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace("    value: 133000\n", "    value: 140000\n"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same mtime: only the content tells
    new_process()
    assert cache.get(path) is None
    assert cache.load_policy_cached(path).parameters["unit_per_bed"].value == 140000


def test_a_corrupt_entry_is_ignored_and_the_policy_loads_normally(cache_dir, tmp_path):
    path = _copy_policy(tmp_path)
    cache.load_policy_cached(path)
    (entry,) = os.listdir(cache_dir)
    (cache_dir / entry).write_bytes(b"not a pickle")
    new_process()
    assert cache.get(path) is None
    assert cache.load_policy_cached(path).id == "ibaraki"


def test_an_unwritable_cache_folder_is_silent(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("YOKO_CACHE_DIR", str(blocker / "cache"))  # a folder under a file cannot exist
    new_process()
    assert cache.load_policy_cached(_copy_policy(tmp_path)).id == "ibaraki"
    new_process()


def test_yoko_no_cache_writes_nothing(cache_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("YOKO_NO_CACHE", "1")
    cache.load_policy_cached(_copy_policy(tmp_path))
    assert not cache_dir.exists()


def test_a_policy_that_extends_another_is_invalidated_when_its_base_changes(cache_dir, tmp_path, monkeypatch):
    base = tmp_path / "policies" / "ibaraki" / "2022.yaml"
    base.parent.mkdir(parents=True)
    shutil.copy(POLICY, base)
    child = tmp_path / "policies" / "ibaraki" / "2023.yaml"
    shutil.copy("tests/policies/ibaraki-2023.yaml", child)
    monkeypatch.setenv("YOKO_POLICY_PATH", str(tmp_path / "policies"))
    first = cache.load_policy_cached(str(child))
    assert len(first.files) == 2  # the child, then the base it extends
    assert first.parameters["beds_floor"].value == 20
    text = base.read_text(encoding="utf-8")
    base.write_text(text.replace("  beds_floor:\n    value: 20\n", "  beds_floor:\n    value: 25\n"),
                    encoding="utf-8")
    new_process()
    assert cache.load_policy_cached(str(child)).parameters["beds_floor"].value == 25


def test_the_cli_gives_the_same_answer_cold_and_warm(cache_dir, cli):
    cold = cli("evaluate", EXAMPLE, "--policy", "ibaraki", "--year", "2022", "--format", "json")
    assert os.listdir(cache_dir)
    new_process()
    warm = cli("evaluate", EXAMPLE, "--policy", "ibaraki", "--year", "2022", "--format", "json")
    assert cold.code == warm.code == 0
    assert json.loads(cold.out) == json.loads(warm.out)


def test_a_cached_policy_is_not_served_once_its_base_would_resolve_elsewhere(tmp_path, monkeypatch):
    """A base copied beside the child (found before the registry's) must be the one used."""
    import shutil

    from engine.policy import cache
    from engine.policy.load import load_policy
    monkeypatch.setenv("YOKO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("YOKO_NO_CACHE", raising=False)
    reg = tmp_path / "registry"
    (reg / "ibaraki").mkdir(parents=True)
    shutil.copy("policies/ibaraki/2022.yaml", reg / "ibaraki" / "2022.yaml")
    child_dir = tmp_path / "child"
    child_dir.mkdir()
    shutil.copy("tests/policies/ibaraki-2023.yaml", child_dir / "ibaraki-2023.yaml")
    monkeypatch.setenv("YOKO_POLICY_PATH", str(reg))
    child = str(child_dir / "ibaraki-2023.yaml")
    first = load_policy(child)
    cache.put(child, first)
    assert cache.get(child) is not None
    # a base now appears beside the child: the old entry must not be served
    shutil.copy("policies/ibaraki/2022.yaml", child_dir / "2022.yaml")
    assert cache.get(child) is None


def test_a_cached_policy_runs_its_cached_generated_code_without_generating_again(cache_dir, tmp_path, monkeypatch):
    from engine.lang import codegen
    path = _copy_policy(tmp_path)
    fresh = cache.load_policy_cached(path)
    new_process()
    cached = cache.get(path)

    def no_generation(policy):
        raise AssertionError("a warm run must not generate the policy's code again")
    monkeypatch.setattr(codegen, "generate", no_generation)
    for example in sorted(os.listdir("examples/ibaraki-2022")):
        facts = load_facts_file(f"examples/ibaraki-2022/{example}", fresh)
        assert evaluate(cached, facts).to_json() == evaluate(fresh, facts).to_json(), example
    gen = codegen.generated(cached)
    assert gen.module is None and gen.fn.__code__.co_filename == path  # tracebacks still name the policy


def test_a_cached_policy_traces_with_its_cached_trace_function_from_the_first_trace(cache_dir, tmp_path, monkeypatch):
    from engine.evaluation import trace_code
    from engine.evaluation.evaluate import TRACES_BEFORE_CODE
    path = _copy_policy(tmp_path)
    fresh = cache.load_policy_cached(path)
    assert "_trace_portable" not in cache.get(path).__dict__  # a policy is not traced when loaded
    examples = [load_facts_file(f"examples/ibaraki-2022/{x}", fresh) for x in sorted(os.listdir("examples/ibaraki-2022"))]
    for _, facts in zip(range(TRACES_BEFORE_CODE + 1), examples * TRACES_BEFORE_CODE):  # a process that
        evaluate(fresh, facts).to_json()  # traces often (some facilities partly known) builds the function
    new_process()
    cached = cache.get(path)
    assert "_trace_portable" in cached.__dict__

    def no_building(*args):
        raise AssertionError("a warm run must not build the policy's trace function again")
    monkeypatch.setattr(trace_code, "trace_function", no_building)
    for example in sorted(os.listdir("examples/ibaraki-2022")):
        facts = load_facts_file(f"examples/ibaraki-2022/{example}", fresh)
        got = evaluate(cached, facts).to_json()  # the cached function, at once
        assert got == evaluate(fresh, facts).document(), example  # the definition, entry by entry
    assert "_trace_fn" in cached.__dict__ and "_traces" not in cached.__dict__


def test_a_runtime_error_in_cached_code_still_names_its_rule(cache_dir, tmp_path):
    from engine.base.diagnostics import YokoError
    from engine.evaluation.evaluate import run_rules
    from test_fuzz import POLICY_HEAD  # an invented one-rule policy, as in test_codegen
    path = tmp_path / "p.yaml"
    path.write_text(POLICY_HEAD + "  share:\n    expr: |\n      n1 / (n2 - n2)\n    label: {ja: s, en: s}\n"
                    "    cite: {source: g, article: 1}\nresults: [share]\n", encoding="utf-8")
    fresh = cache.load_policy_cached(str(path))
    new_process()
    cached = cache.get(str(path))
    assert cached is not None
    line = fresh.rules["share"].locate(0).line
    for p in (fresh, cached):
        with pytest.raises(YokoError) as e:
            run_rules(p, {"n1": 3, "n2": 9})
        d = e.value.diagnostics[0]
        assert (d.code, d.location.line) == ("division_by_zero", line)


def _all_paths(node, where=()):
    """Every key path of a YAML tree, plus one step past each (a path that reaches no node)."""
    yield (*where, "no such key")
    if isinstance(node, dict):
        steps = list(node.keys())
    elif isinstance(node, list):
        steps = range(len(node) + 1)  # one index past the end too
    else:
        return
    for k in steps:
        yield (*where, k)
        if not isinstance(node, list) or k < len(node):
            yield from _all_paths(node[k], (*where, k))


@pytest.mark.parametrize("path", ["policies/ibaraki/2022.yaml", "policies/national/2020.yaml",
                                  "tests/policies/ibaraki-2023.yaml"])
def test_a_cached_policy_file_places_every_key_and_value_where_its_yaml_tree_does(path):
    import io
    import pickle

    from engine.policy.load import read_src

    def dumps(obj) -> bytes:
        buf = io.BytesIO()
        pickle.Pickler(buf).dump(obj)
        return buf.getvalue()
    src = read_src(path)
    tree_locations = {(w, key): src.at(w, key=key) for w in _all_paths(src.root) for key in (False, True)}
    cached = pickle.loads(dumps(src))
    assert cached._root is None  # the tree is not in the pickle ...
    assert b"ruamel" not in dumps(src)  # ... nor any part of it
    for (w, key), loc in tree_locations.items():
        assert cached.at(w, key=key) == loc, (w, key)
    assert cached._root is None  # ... and answering positions does not read it again
    assert cached.root == src.root  # asked for, it is read again from the text


def test_new_year_drafts_the_same_file_from_a_cached_policy(cache_dir, tmp_path, cli):
    args = ["new-year", "ibaraki", "2023", "--from", "ibaraki/2022", "--out"]
    assert cli(*args, str(tmp_path / "a.yaml")).code == 0
    new_process()
    assert cli(*args, str(tmp_path / "b.yaml")).code == 0
    assert (tmp_path / "a.yaml").read_text("utf-8") == (tmp_path / "b.yaml").read_text("utf-8")


def test_a_policy_loaded_by_two_spellings_of_its_path_shows_each_as_given(cache_dir):
    # the in-process memo was keyed by the absolute path alone: after the workbench (or a test) had
    # loaded a policy by its absolute path, a memo of the same file asked for by its relative path
    # showed the absolute one in its header
    import os
    rel = "policies/ibaraki/2022.yaml"
    absolute = cache.load_policy_cached(os.path.abspath(rel))
    relative = cache.load_policy_cached(rel)
    assert absolute.path == os.path.abspath(rel)
    assert relative.path == rel


def test_a_decimal_in_a_policy_keeps_its_written_value_through_the_cache(cache_dir):
    # the YAML reader keeps the decimal a float was written as (ExactFloat); the cache pickles it
    # with that decimal (ExactFloat reduces itself; the cache's own pickler that did it is gone)
    from fractions import Fraction

    from engine.policy.yamlio import ExactFloat

    def decimals(policy):
        out = []
        stack = [s.doc for s in policy.chain]
        while stack:
            x = stack.pop()
            if isinstance(x, dict):
                stack.extend(x.values())
            elif isinstance(x, list):
                stack.extend(x)
            elif isinstance(x, ExactFloat):
                out.append((float(x), x.exact))
        return sorted(out)
    fresh = decimals(cache.load_policy_cached("policies/ibaraki/2022.yaml"))
    new_process()
    from_entry = cache.get("policies/ibaraki/2022.yaml")
    assert from_entry is not None  # read from the entry (an unpicklable value would make it None)
    cached = decimals(from_entry)
    assert fresh and cached == fresh
    assert all(isinstance(e, (int, Fraction)) for _, e in cached)


def _rewrite_keeping_stamp(path: str, old: str, new: str) -> None:
    """The same size, the same mtime, the same inode: a second save within one clock tick."""
    assert len(old) == len(new)
    st = os.stat(path)
    text = open(path, encoding="utf-8").read()
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(old, new))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_a_file_saved_twice_within_a_clock_tick_is_not_served_from_memory(cache_dir, tmp_path):
    # the in-process memo (the workbench, the daemon's commands) trusts a file's stamp only once
    # the file has been still for a while (engine.base.files.settled_stamp)
    path = _copy_policy(tmp_path)
    assert cache.load_policy_cached(path).parameters["unit_per_bed"].value == 133000
    _rewrite_keeping_stamp(path, "    value: 133000\n", "    value: 134000\n")
    assert cache.load_policy_cached(path).parameters["unit_per_bed"].value == 134000


def test_a_settled_file_is_served_from_memory_until_it_changes(cache_dir, tmp_path):
    path = _copy_policy(tmp_path)
    hour_ago = os.stat(path).st_mtime_ns - 3600 * 10**9
    os.utime(path, ns=(hour_ago, hour_ago))
    first = cache.load_policy_cached(path)
    assert cache.load_policy_cached(path) is first
    with open(path, "a", encoding="utf-8") as f:
        f.write("\n")
    assert cache.load_policy_cached(path) is not first
