#!/usr/bin/env python3
"""Self-test of tools/tb_check.py: it must pass good logs and fail every kind of bad one.

    .venv/bin/python tools/test_tb_check.py

Uses the golden tensorboardX logs (tests/golden/tbx) and small logs written here with
tensorboardX; exports come from tools/export_ref.py (the Python reference of the export
schema) or are edited copies of it. Prints one line per case and exits 1 if any case fails.
"""

import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import export_ref  # noqa: E402

GOLDEN = os.path.join(ROOT, "crates", "tfevents", "tests", "golden", "tbx")
MAIN_FILE = "events.out.tfevents.golden"


def run_check(logdir, doc, *flags, expect_tags=None):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(doc, f)
        path = f.name
    cmd = [sys.executable, os.path.join(HERE, "tb_check.py"), logdir, path, *flags]
    if expect_tags is not None:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as t:
            t.write(expect_tags)
        cmd += ["--expect-tags", t.name]
    p = subprocess.run(cmd, capture_output=True, text=True)
    os.unlink(path)
    return p.returncode, p.stdout + p.stderr


def http_check(logdir, doc, *flags):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(doc, f)
    p = subprocess.run([sys.executable, os.path.join(HERE, "tb_http_check.py"), logdir,
                        f.name, *flags], capture_output=True, text=True)
    os.unlink(f.name)
    return p.returncode, p.stdout + p.stderr


def copy_golden(tmp, name="logs"):
    dst = os.path.join(tmp, name)
    shutil.copytree(GOLDEN, dst)
    return dst


def write_purge_logs(logdir):
    """Steps 0..9, then a restart with purge_step=5 writing steps 5..7 (tensorboardX)."""
    import tensorboardX

    w = tensorboardX.SummaryWriter(logdir=logdir, filename_suffix=".a")
    for s in range(10):
        w.add_scalar("loss", 1.0 / (s + 1), s, walltime=1000.0 + s)
        w.add_text("t", f"step {s}", s, walltime=1000.0 + s)
    w.close()
    w = tensorboardX.SummaryWriter(logdir=logdir, purge_step=5, filename_suffix=".b")
    for s in range(5, 8):
        w.add_scalar("loss", 10.0 + s, s, walltime=2000.0 + s)
    w.close()
    # Both files were opened in the same second: the suffix keeps their sort order.
    names = sorted(n for n in os.listdir(logdir) if "tfevents" in n)
    assert names[0].endswith(".a") and names[1].endswith(".b"), names


def write_tensor_scalar_logs(logdir):
    """A new-style scalar (tensor + plugin 'scalars'), as torch's add_scalar(new_style=True)."""
    from tensorboardX import FileWriter
    from tensorboardX.proto.summary_pb2 import Summary, SummaryMetadata
    from tensorboardX.proto.tensor_pb2 import TensorProto

    fw = FileWriter(logdir)
    for s, v in enumerate([0.5, 0.1, float("nan")]):
        md = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="scalars"))
        t = TensorProto(dtype=1, float_val=[v])  # DT_FLOAT, shape []
        fw.add_summary(Summary(value=[Summary.Value(tag="acc", tensor=t, metadata=md)]), s,
                       walltime=500.0 + s)
    fw.close()


def main():
    cases = []  # (name, ok, detail)

    def case(name, want_rc, rc, out, must_contain=None):
        ok = rc == want_rc and (must_contain is None or must_contain in out)
        cases.append((name, ok, out))
        print(f"{'PASS' if ok else 'FAIL'} {name} (rc {rc}, wanted {want_rc})")
        if not ok:
            print("    " + out.replace("\n", "\n    "))

    good = export_ref.export(GOLDEN)
    with tempfile.TemporaryDirectory() as tmp:
        rc, out = run_check(GOLDEN, good)
        case("golden logs pass", 0, rc, out, "tb_check: 3 passed, 0 failed")

        rc, out = run_check(GOLDEN, good, expect_tags=(
            "scalars . loss\nscalars * data/group\nhistograms . w\nimages . img\n"
            "texts * note/text_summary\n"))
        case("expected tags present", 0, rc, out)

        rc, out = run_check(GOLDEN, good, expect_tags="texts * *\nimages . *\n")
        case("expected any-tag present", 0, rc, out)

        rc, out = run_check(GOLDEN, good, expect_tags="texts data/group/a *\n")
        case("expected any-tag missing fails", 1, rc, out, "texts tag '*'")

        rc, out = run_check(GOLDEN, good, expect_tags="scalars * accuracy\n")
        case("expected tag missing fails", 1, rc, out, "accuracy")

        doc = copy.deepcopy(good)
        doc["runs"][0]["scalars"]["loss"][2][2] = 0.126
        rc, out = run_check(GOLDEN, doc)
        case("changed scalar value fails", 1, rc, out, "value TensorBoard 0.125")

        doc = copy.deepcopy(good)
        doc["runs"][0]["scalars"]["lr"][0][2] = 0.1
        rc, out = run_check(GOLDEN, doc)
        case("float32 printed short (0.1) fails with hint", 1, rc, out, "widen to f64")

        doc = copy.deepcopy(good)
        doc["runs"][0]["scalars"]["loss"][1][1] += 0.5
        rc, out = run_check(GOLDEN, doc)
        case("changed wall_time fails", 1, rc, out, "wall_time")

        doc = copy.deepcopy(good)
        doc["runs"][0]["scalars"]["loss"][3][0] = 4
        rc, out = run_check(GOLDEN, doc)
        case("changed step fails", 1, rc, out, "step TensorBoard 3")

        doc = copy.deepcopy(good)
        doc["runs"][0]["scalars"]["loss"].pop()
        rc, out = run_check(GOLDEN, doc)
        case("missing point fails", 1, rc, out, "4 points")

        doc = copy.deepcopy(good)
        doc["runs"][0]["histograms"]["w"][1]["bucket"][5] += 1
        rc, out = run_check(GOLDEN, doc)
        case("changed histogram bucket fails", 1, rc, out, "bucket[5]")

        doc = copy.deepcopy(good)
        doc["runs"][0]["histograms"]["w"][0]["sum_squares"] = 167.50000000000003
        rc, out = run_check(GOLDEN, doc)
        case("histogram sum_squares off by one ulp fails", 1, rc, out, "sum_squares")

        doc = copy.deepcopy(good)
        doc["runs"][0]["images"]["img"][0]["pixels_crc32"] ^= 1
        rc, out = run_check(GOLDEN, doc)
        case("wrong pixels_crc32 fails", 1, rc, out, "pixels_crc32")

        doc = copy.deepcopy(good)
        doc["runs"][0]["images"]["img"][0]["colorspace"] = 4
        rc, out = run_check(GOLDEN, doc)
        case("wrong colorspace fails", 1, rc, out, "colorspace")

        doc = copy.deepcopy(good)
        doc["runs"][0]["texts"]["note/text_summary"][0]["text"] = "hello world"
        rc, out = run_check(GOLDEN, doc)
        case("changed text fails", 1, rc, out, "text TensorBoard")

        doc = copy.deepcopy(good)
        del doc["runs"][0]["texts"]["note/text_summary"]
        rc, out = run_check(GOLDEN, doc)
        case("tag missing from export fails", 1, rc, out, "export lacks")

        doc = copy.deepcopy(good)
        doc["runs"][0]["scalars"]["ghost"] = [[0, 1.0, 1.0]]
        rc, out = run_check(GOLDEN, doc)
        case("extra tag in export fails", 1, rc, out, "does not show")

        doc = copy.deepcopy(good)
        doc["runs"].append({"run": "nowhere", "scalars": {}})
        rc, out = run_check(GOLDEN, doc)
        case("extra run in export fails", 1, rc, out, "3 passed, 1 failed")

        doc = copy.deepcopy(good)
        doc["runs"].pop()
        rc, out = run_check(GOLDEN, doc)
        case("run missing from export fails", 1, rc, out, "export lacks it")

        empty = os.path.join(tmp, "empty")
        os.makedirs(empty)
        rc, out = run_check(empty, {"runs": []})
        case("no runs at all fails", 1, rc, out, "0 passed, 1 failed")

        # Data loss: a flipped byte inside a record body (the record's data CRC fails).
        bad = copy_golden(tmp, "crc")
        path = os.path.join(bad, MAIN_FILE)
        data = bytearray(open(path, "rb").read())
        data[200] ^= 0x01
        open(path, "wb").write(bytes(data))
        rc, out = run_check(bad, good)
        case("CRC flip fails as data loss", 1, rc, out, "data loss")
        rc, out = run_check(bad, good, "--allow-torn-tail")
        case("CRC flip fails even with --allow-torn-tail", 1, rc, out, "crc32")

        # Directory names that look like data-loss words must not trip the detector.
        scary = os.path.join(tmp, "crc_corrupt", "truncated")
        shutil.copytree(GOLDEN, os.path.join(scary, "data loss crc"))
        rc, out = run_check(scary, export_ref.export(scary))
        case("paths containing crc/corrupt/truncated pass", 0, rc, out, "3 passed, 0 failed")

        # A torn final record (a killed writer): fails, unless --allow-torn-tail.
        torn = copy_golden(tmp, "torn_truncated")
        path = os.path.join(torn, MAIN_FILE)
        data = open(path, "rb").read()
        open(path, "wb").write(data[:-7])
        torn_doc = export_ref.export(torn, allow_torn_tail=True)
        rc, out = run_check(torn, torn_doc)
        case("torn tail fails by default", 1, rc, out, "truncated record")
        rc, out = run_check(torn, torn_doc, "--allow-torn-tail")
        case("torn tail passes with --allow-torn-tail", 0, rc, out, "3 passed, 0 failed")
        rc, out = run_check(torn, good, "--allow-torn-tail")
        case("torn tail: export with the lost record fails", 1, rc, out, "export has tag 'img'")

        # Garbage appended after valid records: a header CRC failure.
        garb = copy_golden(tmp, "garbage")
        with open(os.path.join(garb, MAIN_FILE), "ab") as f:
            f.write(bytes(range(256)) * 2)
        rc, out = run_check(garb, good, "--allow-torn-tail")
        case("trailing garbage fails", 1, rc, out, "data loss")

        # purge_step: TensorBoard hides steps >= 5 written before the restart.
        purge = os.path.join(tmp, "purge")
        write_purge_logs(purge)
        pdoc = export_ref.export(purge)
        assert pdoc["runs"][0]["purges"] == [5], pdoc["runs"][0].get("purges")
        assert len(pdoc["runs"][0]["scalars"]["loss"]) == 13
        rc, out = run_check(purge, pdoc)
        case("purge_step: purged export passes", 0, rc, out, "scalars 1 tags/8 points")
        nop = copy.deepcopy(pdoc)
        del nop["runs"][0]["purges"]
        rc, out = run_check(purge, nop, "-v")
        case("purge_step: export without 'purges' passes with a note", 0, rc, out,
             "no 'purges' list")
        wrong = copy.deepcopy(pdoc)
        wrong["runs"][0]["purges"] = [6]
        rc, out = run_check(purge, wrong)
        case("purge_step: wrong 'purges' fails", 1, rc, out, "purges [6]")
        lost = copy.deepcopy(pdoc)
        lost["runs"][0]["scalars"]["loss"][7][2] = 99.0  # a purged point: not visible, ok
        lost["runs"][0]["scalars"]["loss"][11][2] = 99.0  # a visible point: must fail
        rc, out = run_check(purge, lost)
        case("purge_step: visible point compared, purged point not", 1, rc, out,
             "scalars['loss'][6] step 6")

        # New-style scalars (tensor, plugin "scalars"), including a NaN exported as null.
        ts = os.path.join(tmp, "tensor_scalars")
        write_tensor_scalar_logs(ts)
        tdoc = export_ref.export(ts)
        rc, out = run_check(ts, tdoc)
        case("tensor scalars pass (NaN as null)", 0, rc, out, "scalars 1 tags/3 points")
        tdoc["runs"][0]["scalars"]["acc"][2][2] = 0.0
        rc, out = run_check(ts, tdoc)
        case("tensor scalar NaN vs 0.0 fails", 1, rc, out, "value TensorBoard nan")

        # NaN and +/-Inf simple_value scalars: exported as null / "inf" / "-inf".
        nan = os.path.join(tmp, "nan")
        import tensorboardX
        w = tensorboardX.SummaryWriter(logdir=nan)
        for i, v in enumerate([float("nan"), float("inf"), float("-inf"), 1e39, 3.0]):
            w.add_scalar("odd", v, i, walltime=10.0 + i)  # 1e39 overflows float32 to inf
        w.close()
        ndoc = export_ref.export(nan)
        assert [p[2] for p in ndoc["runs"][0]["scalars"]["odd"]] == [None, "inf", "-inf", "inf", 3.0]
        rc, out = run_check(nan, ndoc)
        case("NaN/Inf scalars pass", 0, rc, out, "1 tags/5 points")
        rc, out = http_check(nan, ndoc, "--load-fast", "true")
        case("http (true): NaN/Inf scalars pass", 0, rc, out, "1 tags/5 points")
        ndoc["runs"][0]["scalars"]["odd"][1][2] = "-inf"
        rc, out = run_check(nan, ndoc)
        case("inf exported as -inf fails", 1, rc, out, "value TensorBoard inf")

        # tools/tb_http_check.py: what the TensorBoard web server serves.
        for lf in ("true", "false"):
            rc, out = http_check(GOLDEN, good, "--load-fast", lf)
            case(f"http ({lf}): golden logs pass", 0, rc, out, "3 passed, 0 failed")
        doc = copy.deepcopy(good)
        doc["runs"][0]["scalars"]["loss"][2][2] = 0.126
        rc, out = http_check(GOLDEN, doc, "--load-fast", "true", "--timeout", "15")
        case("http (true): changed scalar fails", 1, rc, out, "served value 0.125")
        doc = copy.deepcopy(good)
        doc["runs"][0]["histograms"]["w"][1]["bucket"][5] += 1
        for lf in ("true", "false"):
            rc, out = http_check(GOLDEN, doc, "--load-fast", lf, "--timeout", "15")
            case(f"http ({lf}): changed histogram bucket fails", 1, rc, out, "buckets differ")
        long = os.path.join(tmp, "long")
        w = tensorboardX.SummaryWriter(logdir=long)
        for i in range(3000):  # more than TensorBoard's default 1000 scalar samples
            w.add_scalar("x", i * 0.5, i, walltime=100.0 + i)
        w.close()
        ldoc = export_ref.export(long)
        rc, out = http_check(long, ldoc, "--load-fast", "true")
        case("http (true): 3000-point series served whole", 0, rc, out, "1 tags/3000 points")

    failed = [c for c in cases if not c[1]]
    print(f"test_tb_check: {len(cases) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
