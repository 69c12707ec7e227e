"""The words the claim check knows, and what one word says on its own.

Word lists (number words, negations, verbs of saying, opposites, synonyms, titles that are not names, short forms
of names) and the readings of a single word: its comparable stem, whether it carries meaning, negates or counts.
"""

from __future__ import annotations

import re
from functools import cache

from rag.text import DAY_WORDS, MONTHS, STOPWORDS, stem

NUMBER_WORDS = {
    "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
    "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15",
    "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30",
    "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90",
    "hundred": "100", "thousand": "1000", "dozen": "12", "half": "0.5", "twice": "2x", "double": "2x",
    "triple": "3x", "first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th", "sixth": "6th",
    "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th", "once": "1x",
    "hundreds": "100s", "thousands": "1000s", "dozens": "12s", "millions": "1e6s", "billions": "1e9s",
}
SCALES = {"million": 10**6, "billion": 10**9, "trillion": 10**12, "m": 10**6, "bn": 10**9}
# A number as written, with a scale word after it ("$12.6 million"): compared as a plain value.
NUMBER = re.compile(r"(\d+(?:[.,:]\d+)*)(?:\s*(million|billion|trillion|bn|m)\b)?", re.IGNORECASE)
# Words that turn what follows in their clause into its opposite ("would not leave", "no sign that …").
_NEGATIONS = {"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot", "unable",
              "lack", "lacked", "lacks", "barely"}
# Words that negate what they lead to ("refused to back him", "would stop financially supporting"), not what
# they name ("the failure of a transformer", "to stop the violence"): negations only before "to" or an -ing word.
_NEGATING_VERBS = {"refused", "refuses", "refuse", "refusing", "refusal", "denied", "denies", "deny", "denial",
                   "rejected", "rejects", "reject", "rejection", "failed", "fails", "fail", "failure", "declined",
                   "declines", "stop", "stops", "stopped", "stopping", "halt", "halts", "halted", "ceased", "ceases",
                   "prevent", "prevents", "prevented", "preventing", "avoid", "avoided", "avoids"}
# Words that negate what they name as well ("abandon any aspirations of joining NATO", "renounced the claim"):
# a claim that drops them ("Ukraine join NATO") says the opposite. "give up" is one of them (see negates).
_GIVING_UP = {"abandon", "abandons", "abandoned", "abandoning", "renounce", "renounces", "renounced",
              "renouncing", "relinquish", "relinquishes", "relinquished", "relinquishing", "forgo", "forgoes",
              "forgoing", "forwent", "forgone", "forsake", "forsakes", "forsook", "forsaken"}
_GIVE = {"give", "gives", "gave", "given", "giving"}
# Words that only shape a sentence: a paraphrase may add or drop them without changing what it claims.
LIGHT = {"such", "each", "though", "although", "only", "up", "out", "down", "also", "including", "both", "even",
         "just", "still", "yet", "while", "whereas", "however", "very", "well", "much", "many", "go", "going",
         "went", "gone", "give", "gave", "given", "get", "got", "make", "made", "take", "took", "taken", "come",
         "came", "keep", "kept", "put", "set", "way", "ways", "part", "one", "other", "others", "another",
         "thing", "things", "lot", "like", "now", "since", "until", "because", "due", "amid", "despite",
         "against", "among", "between", "within", "around", "per", "via", "already", "again", "almost",
         "nearly", "roughly", "about", "approximately", "least", "more", "most", "than", "further", "really",
         "actually", "instead", "own", "new", "latest", "recent", "recently", "currently", "here", "whether",
         "either", "several", "various", "numerous", "multiple", "along", "number", "we", "you", "i", "me",
         "my", "our", "us", "your", "him", "himself", "herself", "itself", "themselves", "able", "would",
         "could", "should", "might", "being", "been"}
# Pairs that say opposite things about the same event; a claim with one where its quote has the other is flipped.
_OPPOSITES = [
    ("rise", "fall"), ("rose", "fell"), ("increase", "decrease"), ("increased", "decreased"), ("up", "down"),
    ("more", "less"), ("more", "fewer"), ("higher", "lower"), ("win", "lose"), ("won", "lost"),
    ("before", "after"), ("above", "below"), ("gain", "loss"), ("accept", "reject"), ("accepted", "rejected"),
    ("approve", "reject"), ("approved", "rejected"), ("agreed", "refused"), ("allow", "ban"), ("allowed", "banned"),
    ("confirmed", "denied"), ("support", "oppose"), ("supported", "opposed"), ("stay", "leave"),
    ("remain", "leave"), ("remain", "left"), ("open", "close"), ("opened", "closed"), ("guilty", "innocent"),
    ("largest", "smallest"), ("biggest", "smallest"), ("most", "least"), ("best", "worst"), ("north", "south"),
    ("east", "west"), ("northern", "southern"), ("eastern", "western"), ("early", "late"), ("earlier", "later"),
    ("first", "last"), ("oldest", "youngest"), ("older", "younger"), ("male", "female"), ("men", "women"),
    ("entered", "exited"), ("arrived", "departed"), ("ally", "enemy"), ("afraid", "unafraid"),
    ("approved", "defeated"), ("passed", "defeated"), ("passed", "failed"), ("continue", "suspend"),
    ("keep", "suspend"), ("resume", "suspend"), ("lifted", "imposed"), ("guilty", "acquitted"),
    ("restore", "sever"), ("restored", "severed"),
    # which way a figure or a deed went: "The Fed raised rates" is not what "The Fed cut rates" says
    ("raise", "cut"), ("raised", "cut"), ("raise", "lower"), ("raised", "lowered"), ("hike", "cut"),
    ("hiked", "cut"), ("increase", "drop"), ("increased", "dropped"), ("increase", "decline"),
    ("increased", "declined"), ("increased", "fell"), ("rose", "dropped"), ("rose", "declined"), ("rise", "drop"),
    ("surge", "plunge"), ("surged", "plunged"), ("surged", "fell"), ("soared", "plunged"), ("soared", "fell"),
    ("climbed", "fell"), ("climb", "fall"), ("double", "halve"), ("doubled", "halved"), ("hire", "fire"),
    ("hired", "fired"), ("hired", "laid"), ("add", "shed"), ("added", "shed"), ("added", "lost"),
    ("expand", "shrink"), ("expanded", "shrank"), ("grew", "shrank"), ("grow", "shrink"), ("upheld", "overturned"),
    ("uphold", "overturn"), ("upheld", "struck"), ("strengthen", "weaken"), ("strengthened", "weakened"),
    ("ease", "tighten"), ("eased", "tightened"), ("joined", "left"), ("join", "leave"), ("import", "export"),
    ("imports", "exports"), ("profit", "loss"), ("surplus", "deficit"), ("convicted", "acquitted"),
]
# Units of one measure, one unit's spellings joined by "/": a number given in one of them is not the same number in
# another ("five years" in prison is not "five months").
_UNIT_FAMILIES = ("seconds minutes hours days weeks months years decades centuries",
                  "inches feet/foot yards meters/metres kilometers/kilometres miles",
                  "ounces pounds grams kilograms tons/tonnes")
# Past tenses that do not end in -ed, for who did what ("Apple overtook Microsoft"); not the verbs two parties do
# alike ("met", "fought", "drew"), whose doer can be either of them.
IRREGULAR_PAST = frozenset("""beat became began bit broke brought built bought caught chose cut dealt drove fled
flew forbade forgave froze gave grew hid hit held hurt kept laid led left lent lost made overran overthrew overtook
paid quit ran sank sold sent shot shut slew sought spent split spread stole struck swore swept took taught tore
threw undertook upheld withdrew won""".split())
# Verbs that attribute words or a stance to someone: the name next to one is who said it.
SAYING = {"said", "says", "say", "told", "tells", "added", "adds", "warned", "warns", "announced", "announces",
          "stated", "claimed", "claims", "urged", "urges", "wrote", "writes", "tweeted", "insisted", "insists",
          "argued", "argues", "accused", "accuses", "noted", "explained", "confirmed", "denied", "acknowledged",
          "admitted", "according", "asked", "asks", "called", "calls", "demanded", "demands", "praised",
          "criticized", "blamed", "declared", "predicted", "suggested", "described", "reported", "reports",
          "citing", "cited", "announcement", "statement"}
CLAUSE_BREAK = re.compile(r"(?:,(?!\d)|(?<!\d),|:(?!\d)|[;()\[\]])\s*|\s[—–-]+\s|—|(?<=[.!?])[\"”’]?\s+")
# Conjunctions that start a new clause; "and" only before a lowercase word ("and earned", not "and Salvini").
CLAUSE_WORDS = {"but", "while", "whereas", "although", "though", "because", "which", "who"}
# Words news reports use for one another: a paraphrase that swaps one for another still says the same. Each
# group is read as one word; opposites and numbers are never here.
_SYNONYMS = [
    ("aim", "goal", "objective"), ("troop", "soldier", "forces"), ("tension", "anxiety", "strain"),
    ("big", "large", "major", "significant", "huge"), ("biggest", "largest"), ("stay", "remain"),
    ("cut", "layoff", "lay", "slash", "axe"), ("job", "employee", "staff", "staffer", "worker", "position"),
    ("new", "fresh"), ("reveal", "announc", "unveil", "disclos"), ("kill", "die", "dead", "death"),
    ("start", "begin", "launch"), ("end", "finish", "conclud"), ("buy", "purchas", "acquir"),
    ("help", "aid", "assist"), ("try", "seek", "attempt"), ("allow", "let", "permit"),
    ("join", "enter", "entry", "admiss"), ("hope", "aspir"), ("invas", "onslaught", "offens"),
    ("chanc", "opportun"), ("win", "victori", "triumph"), ("lose", "defeat"), ("fight", "battl", "combat"),
    ("say", "state"), ("need", "requir"), ("quick", "fast", "rapid"), ("show", "display"),
    ("home", "hous", "resid"), ("firm", "compani", "busi"), ("car", "vehicl"), ("child", "kid"),
    ("citizen", "resid", "peopl"), ("ban", "prohibit", "bar"), ("warn", "caution"), ("injur", "hurt", "wound"),
    ("damag", "harm"), ("rise", "increas", "grow", "climb", "jump"), ("fall", "declin", "drop"),
    ("tough", "harsh", "strict"), ("penalti", "sanction", "punish"), ("send", "deploy", "dispatch", "commit"),
    ("meet", "talk"), ("leader", "head", "chief"), ("countri", "nation"), ("talk", "negoti"),
    ("attack", "strike", "assault"), ("blast", "explos"), ("build", "construct"), ("reach", "hit"),
    ("vote", "ballot"), ("research", "studi"), ("scientist", "research", "expert"),
    ("precaution", "caution"), ("sign", "indic", "evid"), ("back", "support", "endors"),
    ("idea", "propos", "plan"), ("earlier", "ago", "previous"), ("higher", "up"), ("lower", "down"),
    ("fell", "down", "drop"), ("risen", "rose", "jump", "increas", "up"),
]
# Verbs that open the clause after an appositive: "Todd Pugh, Harris' attorney, said …".
SPOKEN = {"said", "says", "told", "added", "wrote", "tweeted", "explained", "noted", "stated", "asked"}
# Words between a name and what it did ("Spirit will have to pay", "Peskov later said").
AUXILIARIES = {"has", "have", "had", "was", "were", "is", "are", "will", "would", "did", "does", "also", "then",
               "later", "previously", "earlier", "again", "repeatedly", "publicly"}
# Words that begin with "un" without negating what follows it.
_NOT_UN = ("under", "unit", "univers", "uniq", "union", "unless", "unanim", "unveil", "until", "unto",
           "unemploy")
# Words that measure rather than name what is counted: "12 years in prison" counts prison years.
UNITS = {"year", "month", "week", "day", "hour", "minut", "second", "percent", "time", "mile", "feet", "foot",
         "meter", "ton", "tonn", "pound", "dollar", "cent", "point"}
PERIODS = {"week", "month", "year", "weekend", "night", "morning", "evening", "afternoon"}
RELATIVE = {"last", "this", "next", "past", "coming"}
# Capitalised words that are titles or sentence furniture, not names a claim could get wrong.
NOT_NAMES = {"president", "prime", "minister", "ministers", "chancellor", "secretary", "spokesman",
             "spokeswoman", "spokesperson", "king", "queen", "prince", "princess", "pope", "general", "gen",
             "sen", "senator", "rep", "gov", "governor", "mayor", "mr", "mrs", "ms", "dr", "sir", "dame", "lord",
             "lady", "chief", "deputy", "foreign", "defense", "defence", "state", "former", "acting", "vice",
             "democrat", "democrats", "republican", "republicans", "i", "god"}
# Common short forms: the name in one text and its usual short form in the other are the same name.
ALIASES = {
    "us": ("united", "states", "america", "american", "americans"), "usa": ("united", "states", "america"),
    "uk": ("britain", "british", "united", "kingdom"), "un": ("united", "nations"), "eu": ("european", "union"),
    "nato": ("north", "atlantic"), "uae": ("emirates",), "nyc": ("york",), "la": ("angeles",),
}


def negates(tokens: list[str], i: int) -> bool:
    token = tokens[i]
    if token.endswith("n't") or unword(token):
        return True
    before = tokens[i - 1] if i else ""
    after = tokens[i + 1] if i + 1 < len(tokens) else ""
    if token in _GIVING_UP or (token == "up" and before in _GIVE):
        return True
    if token in _NEGATING_VERBS:
        return any(t == "to" or t.endswith("ing") for t in tokens[i + 1 : i + 3])
    if token not in _NEGATIONS:
        return False
    # "whether or not" asks, "No. 2" counts, "not only" adds: none of them negates
    return not (before == "or" or (token == "no" and after[:1].isdigit()) or (token == "not" and after == "only"))


def unword(token: str) -> str:
    """The word an "un-" word negates ("unclear": "clear"), or "" for the words that only start with "un"."""
    if (len(token) >= 6 and token.startswith("un") and not token.startswith(_NOT_UN)
            and token not in ("uncle", "uncles")):
        return token[2:]
    return ""


def carries_meaning(token: str) -> bool:
    return (len(token) > 1 and not token.isdigit() and token not in STOPWORDS and token not in LIGHT
            and token not in SAYING and token not in _NEGATIONS and token not in _NEGATING_VERBS
            and token not in _GIVING_UP
            and token not in NUMBER_WORDS and token not in MONTHS and token not in DAY_WORDS
            and not token.endswith("n't"))


def pronoun_one(tokens: list[str], i: int) -> bool:
    """"one" that counts nothing: "no one", "one of them", "one another"."""
    if tokens[i] != "one":
        return False
    before = tokens[i - 1] if i else ""
    after = tokens[i + 1] if i + 1 < len(tokens) else ""
    return before in ("no", "any", "every", "some", "the", "this", "that") or after in ("of", "another")


def join_initialisms(text: str) -> str:
    """U.S. and U.N. as the single words US and UN; "No. 2" as "No 2", a rank, not a sentence's end."""
    text = re.sub(r"\b(?:[A-Z]\.){2,}", lambda m: m.group().replace(".", ""), text)
    return re.sub(r"\b(No|no)\.\s*(?=\d)", r"\1 ", text)


def plain_number(number: str, scale: str = "") -> str:
    """1,000 and 1000 alike, 7.0 and 7 alike, $12.6 million and $12,600,000 alike; 8:43 stays a time."""
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", number):
        number = number.replace(",", "")
    if scale and re.fullmatch(r"\d+(?:\.\d+)?", number):
        return str(round(float(number) * SCALES[scale.lower()]))
    if re.fullmatch(r"\d+\.0+", number):
        number = number.split(".")[0]
    return number.lstrip("0") or "0"


def short_stem(word: str) -> str:
    """A word's comparable form: its Snowball stem cut to six letters, so a paraphrase's "abandoned" meets the
    article's "abandon", "posing" meets "poses" and "Ukrainian" meets "Ukraine"."""
    return stem(word.lower().replace("’", "'").removesuffix("'s"))[:6]


def stem_found(stem: str, stems: frozenset[str]) -> bool:
    if stem in stems or (len(stem) >= 5 and any(s[:5] == stem[:5] for s in stems if len(s) >= 5)):
        return True
    return bool(_synonym_stems().get(stem, set()) & stems)


@cache
def _synonym_stems() -> dict[str, set[str]]:
    synonyms: dict[str, set[str]] = {}
    for group in _SYNONYMS:
        stems = {short_stem(w) for w in group}
        for stem in stems:
            synonyms.setdefault(stem, set()).update(stems - {stem})
    return synonyms


@cache
def opposite_stems() -> dict[str, set[str]]:
    opposites: dict[str, set[str]] = {}
    for a, b in _OPPOSITES:
        opposites.setdefault(short_stem(a), set()).add(short_stem(b))
        opposites.setdefault(short_stem(b), set()).add(short_stem(a))
    return opposites


@cache
def other_units(stem: str) -> frozenset[str]:
    """The stems of the other units of the measure `stem` (a unit's stem) is one of: "month" -> day, week, year …
    ("feet" -> not "foot", the same unit); empty for a word that is no unit."""
    for family in _UNIT_FAMILIES:
        units = [frozenset(short_stem(w) for w in unit.split("/")) for unit in family.split()]
        if any(stem in unit for unit in units):
            return frozenset(s for unit in units if stem not in unit for s in unit)
    return frozenset()
