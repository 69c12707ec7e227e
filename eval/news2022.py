"""Where the news2022 benchmark lives beside this checkout (../shared/bench/news2022/): for the scripts in
eval/, which are project tools, not part of the installed package."""

from pathlib import Path

FOLDER = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "news2022"
CORPUS = FOLDER / "corpus.jsonl.gz"
