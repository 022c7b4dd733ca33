"""The .expect files beside the sample logs of tests/logs/import/: what a person reading
the log lists, command by command (the format: tests/e2e/test_import_layouts.py)."""


def parse_expect(path):
    exp = {"txns": {}, "context": [], "unsolicited": [], "grouped": [], "notes": []}
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            word, _, rest = line.partition(" ")
            if word.isdigit():
                parts = rest.split(" | ")
                keys = []
                for p in parts[1:]:
                    k, _, v = p.partition(" ")
                    keys.append((k, v))
                exp["txns"][int(word)] = (parts[0], keys)
            elif word == "context":
                kind, _, text = rest.partition(" ")
                affects = None
                if " affects " in text:
                    text, _, a = text.rpartition(" affects ")
                    affects = [int(x) for x in a.split(",")]
                exp["context"].append((kind, text, affects))
            elif word == "unsolicited":
                exp["unsolicited"].append(rest)
            elif word == "grouped":
                kind, _, n = rest.partition(" ")
                exp["grouped"].append((kind, int(n)))
            elif word == "note":
                exp["notes"].append(rest)
            elif word == "times":
                exp["times_synthesised"] = True
            else:
                exp[word] = rest
    return exp
