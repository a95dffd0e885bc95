import json
import subprocess
import sys


def run_classify(lines: list[str]) -> list[dict]:
    out = subprocess.run(
        [sys.executable, "-m", "console.cli", "classify"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [json.loads(row) for row in out.splitlines()]


def test_classify_writes_one_json_object_per_input_line():
    rows = run_classify(["家賃が払えない", "死ぬほど眠い", "死にたい"])
    assert len(rows) == 3
    assert "rent_loan" in rows[0]["categories"]
    assert rows[1]["crisis"] is False
    assert rows[2]["crisis"] is True and rows[2]["crisis_kind"] == "suicide"
