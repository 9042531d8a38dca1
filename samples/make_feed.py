#!/usr/bin/env python3
"""Builds samples/feed.jsonl from the five seed articles in samples/.

The seeds came as bare text; the outlet labels and publication times here are
assigned from what each text says about itself (datelines, credits, the
events it reports), so that the feed exercises copydesk's metadata handling.
Run from the repository root: python3 samples/make_feed.py
"""
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
META = {
    "000": ("pk-daily", "2023-10-18T09:00:00+05:00", "Pakistan PM Kakar, Russian President Putin review defence, trade ties"),
    "001": ("pk-news-site", "2023-10-18T16:30:00+05:00", "Prime Minister Kakar and President Putin hold talks"),
    "002": ("wai", "2023-10-20T12:00:00+05:00", "Pakistan-China joint statement"),
    "003": ("pk-daily-2", "2021-04-07T21:00:00+05:00", "Russian FM holds separate talks with PM, COAS, FM"),
    "004": ("pcf-blog", "2012-10-03T10:00:00+05:00", "Lavrov visit set to deepen Pakistan-Russia ties"),
}

with open(HERE / "feed.jsonl", "w", encoding="utf-8") as out:
    for path in sorted(HERE.glob("0*.txt")):
        key = path.name[:3]
        outlet, published, title = META[key]
        record = {
            "id": path.stem,
            "outlet": outlet,
            "published": published,
            "title": title,
            "text": path.read_text(encoding="utf-8"),
        }
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
