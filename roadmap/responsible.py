"""The responsible-executors cell of a roadmap: named people, organisations and role groups.

A cell is read in three passes. Markup and contact details (e-mail, links, telephone numbers)
are cleaned away; people are found by the shape of a Russian name (surname with initials in
either order, or a full name with a patronymic), which needs no separators, because real cells
run names together ("Мельникова Т. В. Гумбатов С.А."); the text between names is cut at commas,
semicolons, line breaks, sentence ends, some "и" and, where items follow one another with only
spaces between, before a word that opens a new one ("Зам. директора по УВР Кл. рук-ли"). Each
piece is classified by its head noun, abbreviations written out first: a singular role word is a
position, a plural role or collective word is a group, an institution or body word or an all-caps
abbreviation is an organisation. Whatever fits none of these is reported, never dropped.
"""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass, replace
from enum import Enum, StrEnum

from roadmap.warnings import ParseWarning

__all__ = [
    "Responsible",
    "ResponsibleKind",
    "ResponsibleParse",
    "normalise_person_name",
    "parse_responsible",
    "person_key",
]


class ResponsibleKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"
    GROUP = "group"


@dataclass(frozen=True)
class Responsible:
    kind: ResponsibleKind
    name: str
    position: str | None = None


@dataclass(frozen=True)
class ResponsibleParse:
    items: tuple[Responsible, ...]
    warnings: tuple[ParseWarning, ...]


WARNING_UNRECOGNISED = "responsible.unrecognised"
WARNING_POSITION_WITHOUT_PERSON = "responsible.position_without_person"


# --- vocabulary ------------------------------------------------------------------------------
# Nominative forms only, lower case, "е" for "ё". Keeping to the nominative is deliberate: a
# genitive complement ("и партнеров", "и организаций") then never looks like a new item.


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_POSITION_WORDS = _words(
    """
    директор заместитель зам руководитель начальник председатель заведующий заведующая завуч
    специалист методист учитель педагог преподаватель воспитатель психолог логопед дефектолог
    тьютор наставник куратор координатор советник консультант инспектор секретарь эксперт
    администратор организатор библиотекарь инженер программист бухгалтер лаборант вожатый вожатая
    ответственный ответственная исполнитель представитель сотрудник работник член глава министр
    ректор проректор декан уполномоченный уполномоченная аналитик редактор модератор помощник
    ассистент исполняющий исполняющая врио тренер социолог юрист инструктор медсестра фельдшер
    завхоз делопроизводитель соцпедагог
    """
)

_GROUP_WORDS = _words(
    """
    руководители заместители директора директоры педагоги учителя преподаватели воспитатели
    специалисты методисты сотрудники работники члены участники обучающиеся учащиеся ученики
    школьники студенты выпускники лицеисты гимназисты родители представители наставники кураторы
    координаторы тьюторы психологи эксперты консультанты администраторы организаторы исполнители
    ответственные дети семьи волонтеры вожатые партнеры лица тренеры отряд отряды
    руководство группа группы команда команды коллектив коллективы педколлектив актив
    """
)

# Institutions and the bodies of a school or an authority: an administration, a council or a
# consilium answers as one body, as an institution does.
_INSTITUTION_WORDS = _words(
    """
    управление комитет министерство департамент отдел отделение центр институт школа школы лицей
    гимназия колледж техникум училище университет академия вуз учреждение учреждения организация
    организации служба кабинет совет комиссия объединение ассоциация союз фонд агентство
    библиотека музей театр клуб сад детсад интернат дом станция филиал лаборатория кафедра
    факультет дума правительство мэрия прокуратура инспекция полиция больница поликлиника
    редакция издательство предприятие компания корпорация банк профсоюз сообщество технопарк
    кванториум минпросвещения минобрнауки минобразования рособрнадзор администрация
    администрации педсовет методсовет консилиум штаб самоуправление парламент оргкомитет профком
    """
)


class _Cls(Enum):
    POSITION = "position"
    GROUP = "group"
    ORGANISATION = "organisation"
    UNKNOWN = "unknown"


_LEXICON: dict[str, _Cls] = {
    **dict.fromkeys(_POSITION_WORDS, _Cls.POSITION),
    **dict.fromkeys(_GROUP_WORDS, _Cls.GROUP),
    **dict.fromkeys(_INSTITUTION_WORDS, _Cls.ORGANISATION),
}
# OCR glues words together ("участникипроекта", "руководительИБЦ"); only long forms are tried
# as glued prefixes, so short words cannot swallow unrelated ones.
_GLUE_FORMS = tuple(sorted((w for w in _LEXICON if len(w) >= 6), key=len, reverse=True))

# Words that may stand before the head noun without being it.
_MODIFIERS = frozenset({"все", "весь", "вся", "каждый"})
# "И.о. директора", "врио начальника": acting for a post is holding a post.
_ACTING = re.compile(r"^\W*(?:и\.\s*о\.|вр\.\s*и\.\s*о\.|врио\b|исполняющ)", re.IGNORECASE)
_ADJECTIVE_ENDINGS = tuple(_words("ый ий ой ая яя ое ее ые ие ого его ому ему ым им ых их ую юю"))
# Two capitals after a word read as dotless initials ("Колокольцева МП") unless they are one of
# these everyday abbreviations.
_TWO_LETTER_ABBREVIATIONS = _words(
    """
    ОО МО ПК ВР ДО ОУ УО РФ РО КК ГО МР ЦО СП ДК ИП ЧС НО ПО СШ МЦ ГУ МУ ЦБ ХК ОК ЛО АО ОГ ДМ
    """
)
# A period after these does not end a sentence ("Зам. директора", "им. Пушкина", "Кл. рук.").
_NO_BREAK_BEFORE_PERIOD = frozenset(
    _words(
        """
        зам им ул пр др см тел каб пос дир рук руковод кл классн зав нач соц пед метод ст преп
        отв адм
        """
    )
)


# --- names -----------------------------------------------------------------------------------

_UP = "А-ЯЁ"
_LO = "а-яё"
_SURNAME = rf"[{_UP}][{_LO}]+(?:-[{_UP}][{_LO}]+)*"
_CAPS_SURNAME = rf"[{_UP}]{{3,}}(?:-[{_UP}]{{3,}})*"
_VOWELS = "АЕЁИОУЫЭЮЯ"
_WORD_START = rf"(?<![{_UP}{_LO}\w-])"
_PATRONYMIC_ENDINGS = ("ович", "евич", "ич", "овна", "евна", "ична")

_SURNAME_FIRST = re.compile(
    rf"{_WORD_START}(?P<surname>{_SURNAME}|{_CAPS_SURNAME})[ \t]+(?P<first>[{_UP}])\.[ \t]*"
    rf"(?:(?P<second>[{_UP}])(?:\.|(?![{_UP}{_LO}\w])))?"
)
_SURNAME_FIRST_DOTLESS = re.compile(
    rf"{_WORD_START}(?P<surname>{_SURNAME})[ \t]+(?P<first>[{_UP}])(?P<second>[{_UP}])"
    rf"(?![{_UP}{_LO}\w])"
)
_INITIALS_FIRST = re.compile(
    rf"{_WORD_START}(?P<first>[{_UP}])\.[ \t]*(?:(?P<second>[{_UP}])\.[ \t]*)?"
    rf"(?P<surname>{_SURNAME})(?![{_LO}\w])"
)
_FULL_NAME = re.compile(
    rf"{_WORD_START}(?P<a>{_SURNAME})[ \t]+(?P<b>[{_UP}][{_LO}]+)[ \t]+(?P<c>{_SURNAME})"
    rf"(?![{_LO}\w])"
)
_NAME_PATTERNS = (_FULL_NAME, _SURNAME_FIRST, _SURNAME_FIRST_DOTLESS, _INITIALS_FIRST)
# "МБОУ СОШ им. А.С. Пушкина" names a school, not a person.
_NAMED_AFTER = re.compile(r"(?:\bим\.|\bимени)\s*(?:[А-ЯЁ]\.\s*)*$", re.IGNORECASE)


@dataclass(frozen=True)
class _Name:
    start: int
    end: int
    surname: str
    initials: str

    @property
    def normalised(self) -> str:
        return f"{self.surname} {self.initials}"


def _fold(word: str) -> str:
    return word.lower().replace("ё", "е")


def _is_common_word(word: str) -> bool:
    return any(_fold(part) in _LEXICON for part in word.split("-"))


def _is_patronymic(word: str) -> bool:
    return len(word) >= 5 and _fold(word).endswith(_PATRONYMIC_ENDINGS)


def _name_from_match(pattern: re.Pattern[str], match: re.Match[str]) -> _Name | None:
    if pattern is _FULL_NAME:
        a, b, c = match["a"], match["b"], match["c"]
        if any(_is_common_word(word) for word in (a, b, c)):
            return None
        if _is_patronymic(b) and "-" not in b:
            surname, initials = c, f"{a[0]}.{b[0]}."
        elif _is_patronymic(c) and "-" not in c:
            surname, initials = a, f"{b[0]}.{c[0]}."
        else:
            return None
        return _Name(match.start(), match.end(), surname, initials)
    surname = match["surname"]
    if _is_common_word(surname):
        return None
    if surname.isupper():
        # "ИВАНОВА А.А." is a name in capitals, but "РЦОКО Т.В. Петрова" is an abbreviation
        # followed by a name, and an abbreviation without vowels is never a surname.
        if not any(ch in _VOWELS for ch in surname):
            return None
        if re.match(rf"[ \t]*[{_UP}][{_LO}]", match.string[match.end() :]):
            return None
        surname = "-".join(part[0] + part[1:].lower() for part in surname.split("-"))
    if (
        pattern is _SURNAME_FIRST_DOTLESS
        and match["first"] + match["second"] in _TWO_LETTER_ABBREVIATIONS
    ):
        return None
    initials = f"{match['first']}." + (f"{match['second']}." if match["second"] else "")
    return _Name(match.start(), match.end(), surname, initials)


def _find_names(text: str, blocked: list[tuple[int, int]]) -> list[_Name]:
    """Every name in reading order; at each place the earliest, then the longest, reading wins."""
    names: list[_Name] = []
    pos = 0
    while pos < len(text):
        best: _Name | None = None
        for pattern in _NAME_PATTERNS:
            search_from = pos
            while (match := pattern.search(text, search_from)) is not None:
                if best is not None and match.start() > best.start:
                    break
                name = _name_from_match(pattern, match)
                if (
                    name is not None
                    and not _overlaps(name.start, name.end, blocked)
                    and not _NAMED_AFTER.search(text, 0, name.start)
                ):
                    if (
                        best is None
                        or name.start < best.start
                        or (name.start == best.start and name.end > best.end)
                    ):
                        best = name
                    break
                search_from = match.start() + 1
        if best is None:
            break
        names.append(best)
        pos = best.end
    return names


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < span_end and span_start < end for span_start, span_end in spans)


def _recase(text: str) -> str:
    """Sentence-case a name typed in one case: long words are surnames, short ones initials."""

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        if len(word) <= 2:
            return word.upper()
        return word[0].upper() + word[1:].lower()

    return re.sub(rf"[{_UP}{_LO}]+", fix, text)


def normalise_person_name(text: str) -> str | None:
    """Any spelling of one name ("М.П. Колокольцева", "Колокольцева МП") as "Колокольцева М.П."."""
    candidate = " ".join(text.split()).strip(" ,;")
    if not candidate:
        return None
    variants = [candidate]
    letters = [ch for ch in candidate if ch.isalpha()]
    if letters and (all(ch.islower() for ch in letters) or all(ch.isupper() for ch in letters)):
        variants.append(_recase(candidate))
    for variant in variants:
        names = _find_names(variant, [])
        if len(names) == 1 and names[0].start == 0 and variant[names[0].end :].strip(" .") == "":
            return names[0].normalised
    return None


def person_key(name: str) -> str:
    """A matching key: the same for one person however the name is spelt, spaced or ordered."""
    normalised = normalise_person_name(name)
    return _fold(normalised if normalised is not None else " ".join(name.split()))


_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# Shorter words («по», «и», «для») are not in an abbreviation: «Комитет по образованию» — КО.
_ABBREVIATED_WORD = 3


def body_key(name: str) -> str:
    """A matching key for a body or group: case, «ё», quotes, punctuation and spacing aside."""
    return " ".join(_fold(word) for word in _WORD.findall(name))


def abbreviation_key(name: str) -> str | None:
    """The initials a name of several words is abbreviated to («районный методический
    кабинет» — «рмк»); None for a name of one word (it may itself be an abbreviation)."""
    words = [word for word in body_key(name).split() if len(word) >= _ABBREVIATED_WORD]
    return "".join(word[0] for word in words) if len(words) >= 2 else None


# --- cleaning --------------------------------------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_ODD_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2009\u200a\u2002\u2003"), " ")
_BULLETS = dict.fromkeys(map(ord, "•·▪◦●■□►➢✓\t\r"), "\n")
_MARKDOWN_LINK = re.compile(r"\[([^\]\n]*)\]\(([^)\s]*)\)")
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_EMPHASIS = re.compile(r"\*\*|__|`")
_EMAIL = re.compile(
    r"(?:\b(?:e-?mail|эл\.?\s*почта)\s*:?\s*)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE
)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# "(далее – РМК)" defines a short name for later rows; it is not part of this one.
_ALIAS_CLAUSE = re.compile(r"\(\s*далее\b[^()]*\)", re.IGNORECASE)
# "(по согласованию)" says the executor is outside the author's authority, not who it is.
_BY_AGREEMENT = re.compile(r"\(\s*по\s+согласованию\s*\)", re.IGNORECASE)
# "Ответственный: …", "Исполнители: …" label the cell's content.
_LABEL = re.compile(r"^\s*(?:ответственн\w*(?:\s+лиц\w*)?|исполнител\w*)\s*:\s*", re.IGNORECASE)
# A telephone number, with the word that announces it: "тел. 8-914-123-45-67", "+7 (4232)
# 12-34-56", "т. 2-15-48". Its digits are checked by _is_phone, so "2023-2028" stays.
_PHONE = re.compile(
    r"(?P<label>(?<![А-Яа-яЁё])(?:конт(?:актный)?\.?\s*)?(?:тел(?:ефон)?|т|моб|сот)\.?\s*:?\s*)?"
    r"(?<![\w.])(?P<number>\+?\d[\d \t()\-–]{4,}\d)(?![\w.])",
    re.IGNORECASE,
)
_LOCAL_PHONE = re.compile(r"\d{1,3}(?:[-–]\d{2}){2}")


def _is_phone(match: re.Match[str]) -> bool:
    number = match["number"]
    digits = re.sub(r"\D", "", number)
    if match["label"]:
        return len(digits) >= 5
    if len(digits) == 11 and digits[0] in "78":
        return True
    return (len(digits) == 10 and digits[0] == "9") or bool(_LOCAL_PHONE.fullmatch(number))


def _clean(text: str) -> str:
    text = html.unescape(text).translate(_INVISIBLE).translate(_ODD_SPACES)
    text = _MARKDOWN_LINK.sub(
        lambda m: " " if m.group(2).lower().startswith("mailto:") else m.group(1), text
    )
    text = _HTML_TAG.sub("\n", text)
    text = _EMPHASIS.sub(" ", text)
    text = _EMAIL.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _ALIAS_CLAUSE.sub(" ", text)
    text = _BY_AGREEMENT.sub(" ", text)
    text = _LABEL.sub("", text)
    text = _PHONE.sub(lambda m: " " if _is_phone(m) else m.group(0), text)
    return text.translate(_BULLETS)


# --- quotes and brackets ---------------------------------------------------------------------


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """Balanced quotations, mixed styles allowed ('группа "Маркетинг»'); an unclosed one is not."""
    spans: list[tuple[int, int]] = []
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch in "«„":
            stack.append(i)
        elif ch == "»":
            if stack:
                spans.append((stack.pop(), i + 1))
        elif ch in '"“”':
            if stack:
                spans.append((stack.pop(), i + 1))
            else:
                stack.append(i)
    return spans


def _bracketed_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch in "([":
            stack.append(i)
        elif ch in ")]" and stack:
            spans.append((stack.pop(), i + 1))
    return spans


def _interior(text: str) -> list[bool]:
    """Which characters lie strictly inside a quotation or a pair of brackets."""
    depth_change = [0] * (len(text) + 1)
    for start, end in _quoted_spans(text) + _bracketed_spans(text):
        depth_change[start + 1] += 1
        depth_change[end - 1] -= 1
    mask: list[bool] = []
    depth = 0
    for change in depth_change[:-1]:
        depth += change
        mask.append(depth > 0)
    return mask


# --- abbreviated positions and groups --------------------------------------------------------
# Plans shorten the same few school positions and groups: "Зам. дир. по УВР", "Кл. рук-ли",
# "Соц. педагог", "пед.-организатор", "5-9 кл.". Each is written out before a piece is classified
# or shown, so that "Зам. директора по УВР" and "Заместитель директора по УВР" are one group.
# "Рук." and "кл. рук." do not say whether one or several are meant: a named person's position
# is singular, a group without a name plural.

# The forms of an abbreviated adjective: masculine, feminine, neuter, plural.
_ADJECTIVE_FORMS: dict[str, tuple[str, str, str, str]] = {
    "пед": ("педагогический", "педагогическая", "педагогическое", "педагогические"),
    "метод": ("методический", "методическая", "методическое", "методические"),
    "соц": ("социальный", "социальная", "социальное", "социальные"),
    "ст": ("старший", "старшая", "старшее", "старшие"),
    "кл": ("классный", "классная", "классное", "классные"),
    "классн": ("классный", "классная", "классное", "классные"),
}
_DEPUTY_OF = {"дир": "директора", "зав": "заведующего", "нач": "начальника"}
_SINGLE_WORDS = {
    "зам": "заместитель",
    "зав": "заведующий",
    "нач": "начальник",
    "дир": "директор",
    "преп": "преподаватель",
    "отв": "ответственный",
    "адм": "администрация",
    "уч-ся": "учащиеся",
    "обуч-ся": "обучающиеся",
    "об-ся": "обучающиеся",
}
# Fields of a school deputy director's work: "зам. по УВР", "заместитель директора по УВР, ВР".
_WORK_FIELDS = _words("увр вр ур нмр мр умр омр воср икт ахр ахч ахд бж обж кб")
_FIELDS = "|".join(sorted(_WORK_FIELDS))
_PEDAGOGUE_OF = "психолог|организатор|библиотекар|дефектолог|логопед"
_ABBREVIATED = re.compile(
    r"(?<![А-Яа-яЁёA-Za-z])(?:"
    r"зам(?:\.\s*|\s+|)(?P<deputy_of>дир|зав|нач)"
    r"(?:\.|(?:-ра|ектора|едующего|альника|)(?![а-яё]))"
    rf"|зам(?:\.|еститель)?\s*(?=по\s+(?:{_FIELDS})(?![А-Яа-яЁё]))(?P<field>)"
    r"|(?P<tutor>кл(?:асс?н?)?\.?\s*рук)(?:оводител(?P<tutors>[иь])|-?т?е?л(?P<tutors_short>[иь])"
    r"|овод\.|\.|(?![а-яё-]))"
    r"|(?P<leader>рук)(?:-?т?е?л(?P<leaders>[иь])|овод\.|\.)"
    r"|(?:пед(?:агог(?P<pedagogues>и)?|\.)?|(?P<teacher>учител[ья]))"
    rf"(?:\s*[-–—]\s*|\s+(?=(?-i:[а-яё]))|(?<=\.)|)(?P<pedagogue_of>{_PEDAGOGUE_OF})"
    r"|нач\.\s*кл(?:\.|ассов|(?![а-яё]))(?P<primary>)"
    r"|доп\.\s*(?=образовани)(?P<additional>)"
    rf"|(?P<adjective>{'|'.join(_ADJECTIVE_FORMS)})\.\s*(?=(?-i:(?P<noun>[а-яё]+)))"
    r"|(?P<single>зам|зав|нач|дир|преп|отв|адм)\.|(?P<single_spaced>зам)(?=\s)"
    r"|(?P<single_hyphened>уч-ся|обуч-ся|об-ся)(?![а-яё])"
    r"|(?<=\d)(?P<grade>-х)?\s*кл(?:\.|(?![а-яё]))"
    r")",
    re.IGNORECASE,
)


def _agreeing(forms: tuple[str, str, str, str], noun: str) -> str:
    word = _fold(noun)
    if word.endswith(("ы", "и")) or (word in _GROUP_WORDS and word.endswith(("а", "я"))):
        # "учителя", "директора": plural, though they end as a feminine noun does.
        return forms[3]
    if word.endswith(("а", "я")):
        return forms[1]
    if word.endswith(("о", "е")):
        return forms[2]
    return forms[0]


def _number(ending: str | None, plural: bool) -> str:
    """The ending of «руководител-»: as written, or as `plural` says where the text is silent."""
    if ending is None:
        return "и" if plural else "ь"
    return _fold(ending)


def _written_out(match: re.Match[str], plural: bool) -> str:
    if match["deputy_of"]:
        return "заместитель " + _DEPUTY_OF[_fold(match["deputy_of"])]
    if match["field"] is not None:
        # "Зам. по УВР": the field of a school's work says whose deputy.
        return "заместитель директора "
    if match["tutor"]:
        ending = _number(match["tutors"] or match["tutors_short"], plural)
        return ("классные" if ending == "и" else "классный") + " руководител" + ending
    if match["leader"]:
        return "руководител" + _number(match["leaders"], plural)
    if match["pedagogue_of"]:
        first = _fold(match["teacher"] or "педагог" + (match["pedagogues"] or ""))
        return f"{first}-{_fold(match['pedagogue_of'])}"
    if match["primary"] is not None:
        return "начальных классов"
    if match["additional"] is not None:
        return "дополнительного "
    if match["adjective"]:
        return _agreeing(_ADJECTIVE_FORMS[_fold(match["adjective"])], match["noun"]) + " "
    single = match["single"] or match["single_spaced"] or match["single_hyphened"]
    if single:
        return _SINGLE_WORDS[_fold(single)]
    return f"{match['grade'] or ''} классов"


def _expand(text: str, *, plural: bool = False) -> str:
    """The text with its abbreviated positions and groups written out."""

    def replace_one(match: re.Match[str]) -> str:
        written = _written_out(match, plural)
        if match.group(0)[:1].isupper():
            written = written[:1].upper() + written[1:]
        following = match.string[match.end() : match.end() + 1]
        if match.group(0).endswith(".") and following.isalnum() and not written.endswith(" "):
            written += " "
        return written

    return _ABBREVIATED.sub(replace_one, text)


def _abbreviation_spans(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in _ABBREVIATED.finditer(text)]


# --- classifying a piece of text -------------------------------------------------------------

_TOKEN = re.compile(r"[0-9A-Za-zА-Яа-яЁё№]+")
_HYPHEN_THEN_LETTER = re.compile(r"-\w")
_HYPHEN_THEN_SPACE = re.compile(r"-\s")


# "ППк", "ПМПк": a consilium's abbreviation ends in a small letter.
_ABBREVIATION_WITH_SMALL_END = re.compile(r"[А-ЯЁ]{2,}[а-яё]")


def _is_abbreviation(token: str) -> bool:
    return (len(token) >= 2 and token.isupper() and token[0].isalpha()) or bool(
        _ABBREVIATION_WITH_SMALL_END.fullmatch(token)
    )


def _head(text: str) -> tuple[_Cls, bool]:
    """The class of the head noun, and whether that head was a bare abbreviation."""
    cls, bare, _ = _head_word(text)
    return cls, bare


def _head_word(text: str) -> tuple[_Cls, bool, str]:
    """The class of the head noun, whether it was a bare abbreviation, and the head itself."""
    text = _expand(text)
    if _ACTING.match(text):
        return _Cls.POSITION, False, ""
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        word = _fold(token)
        known = _LEXICON.get(word)
        if known is not None:
            return known, False, word
        if word.startswith("замест"):
            # "Заместить директора" is a common slip for "Заместитель директора".
            return _Cls.POSITION, False, word
        if _is_abbreviation(token):
            return _Cls.ORGANISATION, True, word
        if _HYPHEN_THEN_LETTER.match(text, match.end()) or (
            _HYPHEN_THEN_SPACE.match(text, match.end()) and word.endswith(("о", "е"))
        ):
            # First half of a compound ("Пресс-центр", "социально- психологическая").
            continue
        if word in _MODIFIERS or (len(word) >= 4 and word.endswith(_ADJECTIVE_ENDINGS)):
            continue
        for form in _GLUE_FORMS:
            if word.startswith(form) and len(word) - len(form) >= 3:
                return _LEXICON[form], False, form
        return _Cls.UNKNOWN, False, word
    return _Cls.UNKNOWN, False, ""


# --- cutting the text between names into pieces ----------------------------------------------


@dataclass(frozen=True)
class _Piece:
    start: int
    end: int
    raw: str  # as written, spaces folded
    cls: _Cls

    @property
    def text(self) -> str:
        """As shown: abbreviations written out, an ambiguous number read as one person."""
        return _expand(self.raw)


_EDGE_JUNK = " \n,;:.-–—−_*•/\\|"
_LEADING_NUMBER = re.compile(r"^(?:\d{1,2}[.)]|[а-яa-z]\))(?:\s+|$)")
_LEADING_AND = re.compile(r"^и(?:\s+|$)", re.IGNORECASE)
_TRAILING_AND = re.compile(r"\s+и$", re.IGNORECASE)


def _word_before(text: str, end: int, floor: int) -> str:
    start = end
    while start > floor and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    return text[start:end]


def _keeps_its_period(text: str, start: int, end: int) -> bool:
    """Whether the period before `end` closes an abbreviation ("г.", "Зам.") and must stay."""
    word = _word_before(text, end - 1, start)
    return len(word) == 1 or _fold(word) in _NO_BREAK_BEFORE_PERIOD


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) past separators, list numbering, dangling "и" and stray brackets."""
    while True:
        before = (start, end)
        while start < end and text[start] in _EDGE_JUNK + ")":
            start += 1
        while end > start and text[end - 1] in _EDGE_JUNK + "(":
            if text[end - 1] == "." and _keeps_its_period(text, start, end):
                break
            end -= 1
        piece = text[start:end]
        opened, closed = piece.count("("), piece.count(")")
        if (match := _LEADING_NUMBER.match(piece)) or (match := _LEADING_AND.match(piece)):
            start += match.end()
        elif match := _TRAILING_AND.search(piece):
            end -= len(match.group(0))
        elif piece[:1] == "(" and opened > closed:
            start += min(opened - closed, len(piece) - len(piece.lstrip("(")))
        elif piece[-1:] == ")" and closed > opened:
            end -= min(closed - opened, len(piece) - len(piece.rstrip(")")))
        elif piece[:1] == "(":
            # A piece wholly in brackets: "Иванова А.А. (директор)".
            pairs = set(_bracketed_spans(piece))
            layers = 0
            while piece[layers] == "(" and (layers, len(piece) - layers) in pairs:
                layers += 1
            start, end = start + layers, end - layers
        if (start, end) == before:
            return start, end


_SENTENCE_BREAK = re.compile(r"\.\s+[А-ЯЁA-Z«\"]")


def _sentence_ends_at(text: str, i: int) -> bool:
    if not _SENTENCE_BREAK.match(text, i):
        return False
    word = _word_before(text, i, 0)
    return len(word) >= 2 and _fold(word) not in _NO_BREAK_BEFORE_PERIOD


def _cut(text: str) -> list[tuple[int, int]]:
    """Split at separators outside quotes and brackets."""
    protected = _interior(text)
    cuts: list[tuple[int, int]] = []
    start = 0
    for i, ch in enumerate(text):
        if protected[i]:
            continue
        if ch in ",;\n" or (ch == "." and _sentence_ends_at(text, i)):
            cuts.append((start, i))
            start = i + 1
    cuts.append((start, len(text)))
    return cuts


def _is_standalone(text: str) -> bool:
    """One word, or nothing but abbreviations: "Комитет", "РМК", "МО ПК"."""
    tokens = _TOKEN.findall(text)
    return len(tokens) == 1 or (bool(tokens) and all(_is_abbreviation(t) for t in tokens))


def _split_at_and(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split "X и Y" only where Y starts a new item of its own.

    "Педагоги и родители" is two groups; "Руководители ШНОР и ШНСУ" and "Администрация лицея и
    партнеров" are one, because what follows "и" there continues the first item's complement.
    """
    piece = text[start:end]
    protected = _interior(piece)
    parts: list[tuple[int, int]] = []
    part_start = 0
    for match in re.finditer(r"\s+и\s+", piece):
        if protected[match.start()]:
            continue
        cls, bare = _head(piece[match.end() :])
        left = piece[part_start : match.start()]
        if cls is _Cls.UNKNOWN or (bare and not _is_standalone(left)):
            continue
        parts.append((start + part_start, start + match.start()))
        part_start = match.end()
    parts.append((start + part_start, end))
    return parts


# Forms that are a plural group noun and also the genitive singular that follows a head: after a
# capital they still continue a name ("Отдел образования Администрации района").
_GENITIVE_LOOKALIKES = _words("администрации организации учреждения школы группы команды")
# The same after a singular position ("Заместитель Директора", "Советник Директора"), or after
# any head when in small letters ("заместители директора").
_GENITIVE_AFTER_POSITION = _words("директора учителя")


def _is_title_case(word: str) -> bool:
    return word[:1].isupper() and word[1:2].islower()


def _starts_item(left: str, previous: str, word: str, rest: str) -> bool:
    """Whether `rest` (starting with `word`, after `previous`) begins a new item of its own.

    A capitalised word opens one when it leads to a known head ("… по УВР Классные
    руководители"); a small one only when it leads to a role and the item before it ends in an
    abbreviation or its own head noun ("заместитель директора по УВР классные руководители",
    "педагог-психолог социальный педагог"), never in an adjective ("ответственный секретарь")."""
    ended = _fold(previous)
    small = word.islower() and (
        _is_abbreviation(previous)
        or (ended in _LEXICON and not ended.endswith(_ADJECTIVE_ENDINGS))
    )
    if not (_is_title_case(word) or small):
        return False
    cls, bare, head = _head_word(rest)
    if cls is _Cls.UNKNOWN or bare or (small and cls is _Cls.ORGANISATION):
        return False
    governed_by = _LEXICON.get(ended)
    if head in _GENITIVE_LOOKALIKES or (
        head in _GENITIVE_AFTER_POSITION
        and (governed_by is _Cls.POSITION or (small and governed_by is not None))
    ):
        return False
    left_cls, left_bare = _head(left)
    return left_cls is not _Cls.UNKNOWN and not (left_bare and _is_standalone(left))


_DASHES = frozenset("-–—−")


def _split_at_heads(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split items written one after another with nothing but spaces between them:
    "Зам. директора по УВР Кл. рук-ли Педагог-психолог" is three groups."""
    piece = text[start:end]
    protected = _interior(piece)
    inside_abbreviation = {
        i for first, last in _abbreviation_spans(piece) for i in range(first + 1, last)
    }
    tokens = list(_TOKEN.finditer(piece))
    parts: list[tuple[int, int]] = []
    part_start = 0
    for previous, token in itertools.pairwise(tokens):
        at = token.start()
        if protected[at] or at in inside_abbreviation or _DASHES & set(piece[previous.end() : at]):
            # A dash joins what follows to the item: "руководители ШНСУ- участники проекта".
            continue
        if _starts_item(piece[part_start:at], previous.group(0), token.group(0), piece[at:]):
            parts.append((start + part_start, start + at))
            part_start = at
    parts.append((start + part_start, end))
    return parts


# Kinds of educational institution: "руководители ОО, ДОУ" names the heads of both kinds, one
# group, where "руководители ОО, РМК" names a group and a body.
_INSTITUTION_TYPES = _words(
    """
    оо оу доу доо до удо одо оудо дод удод сош оош нош сш спо поо поу цдо ддт дши дюсш
    """
)


def _continues_list(text: str, previous: _Piece, start: int, raw: str) -> bool:
    """Whether `raw` only lengthens the list that ends the item before it: more kinds of
    institution ("руководители ОО, ДОУ"), more fields of work ("заместители директора по УВР,
    ВР") or more classes ("классные руководители 9, 11 классов")."""
    before = [_fold(token) for token in _TOKEN.findall(previous.raw)]
    tokens = _TOKEN.findall(raw)
    if previous.cls is _Cls.UNKNOWN or ";" in text[previous.end : start] or not tokens:
        return False
    if raw[:1].isdigit():
        return previous.raw[-1:].isdigit() or previous.raw.endswith("-х")
    if _head(previous.raw)[1]:
        return False
    for kinds in (_INSTITUTION_TYPES, _WORK_FIELDS):
        if before[-1] in kinds and all(_fold(token) in kinds for token in tokens):
            return True
    return False


def _pieces(text: str) -> list[_Piece]:
    pieces: list[_Piece] = []
    for cut_start, cut_end in _cut(text):
        a, b = _trim(text, cut_start, cut_end)
        for and_start, and_end in _split_at_and(text, a, b):
            for part_start, part_end in _split_at_heads(text, *_trim(text, and_start, and_end)):
                start, end = _trim(text, part_start, part_end)
                if re.search(r"\w", text[start:end]):
                    _add_piece(pieces, text, start, end)
    return pieces


def _add_piece(pieces: list[_Piece], text: str, start: int, end: int) -> None:
    raw = " ".join(text[start:end].split())
    cls, _ = _head(raw)
    previous = pieces[-1] if pieces else None
    if previous is not None and (
        (cls is _Cls.UNKNOWN and previous.cls is _Cls.POSITION and raw[:1].islower())
        or _continues_list(text, previous, start, raw)
    ):
        # A lower-case tail continues a position: "учитель физики, химии".
        merged = " ".join(text[previous.start : end].split())
        pieces[-1] = _Piece(previous.start, end, merged, previous.cls)
        return
    pieces.append(_Piece(start, end, raw, cls))


# --- assembling the cell ---------------------------------------------------------------------


def _capitalised(text: str) -> str:
    for i, ch in enumerate(text):
        if ch.isalpha():
            return text[:i] + ch.upper() + text[i + 1 :]
    return text


def _joined_position(text: str, pieces: list[_Piece]) -> str:
    return _expand(" ".join(text[pieces[0].start : pieces[-1].end].split()))


def _leading_positions(pieces: list[_Piece]) -> int:
    count = 0
    while count < len(pieces) and pieces[count].cls is _Cls.POSITION:
        count += 1
    return count


def _trailing_positions(pieces: list[_Piece]) -> int:
    count = 0
    while count < len(pieces) and pieces[-1 - count].cls is _Cls.POSITION:
        count += 1
    return count


class _Collector:
    def __init__(self) -> None:
        self.items: list[Responsible] = []
        self.warnings: list[ParseWarning] = []
        self._seen: dict[tuple[ResponsibleKind, str], int] = {}

    def add(self, item: Responsible) -> None:
        key = person_key(item.name) if item.kind is ResponsibleKind.PERSON else _fold(item.name)
        if (item.kind, key) not in self._seen:
            self._seen[(item.kind, key)] = len(self.items)
            self.items.append(item)
            return
        # The first mention stays; a position given only on the second is still worth keeping.
        index = self._seen[(item.kind, key)]
        if self.items[index].position is None and item.position is not None:
            self.items[index] = replace(self.items[index], position=item.position)

    def warn(self, code: str, fragment: str) -> None:
        warning = ParseWarning.of(code, fragment=fragment)
        if warning not in self.warnings:
            self.warnings.append(warning)

    def piece(self, piece: _Piece, *, people_named: bool) -> None:
        if piece.cls is _Cls.ORGANISATION:
            self.add(Responsible(ResponsibleKind.ORGANISATION, _capitalised(piece.text)))
        elif piece.cls is _Cls.GROUP:
            self.add(Responsible(ResponsibleKind.GROUP, _capitalised(piece.text)))
        elif piece.cls is _Cls.POSITION and not people_named:
            # A role with nobody named ("Заместитель директора по НМР") is filled by whoever
            # holds it, so it is a group of one; a short form that may mean several does.
            name = _expand(piece.raw, plural=True)
            self.add(Responsible(ResponsibleKind.GROUP, _capitalised(name)))
        elif piece.cls is _Cls.POSITION:
            self.warn(WARNING_POSITION_WITHOUT_PERSON, piece.text)
        else:
            self.warn(WARNING_UNRECOGNISED, piece.text)


def parse_responsible(text: str) -> ResponsibleParse:
    """Read one responsible cell; items keep the written order and the first person leads."""
    cleaned = _clean(text)
    names = _find_names(cleaned, _quoted_spans(cleaned))
    bounds = [0, *(edge for name in names for edge in (name.start, name.end)), len(cleaned)]
    gaps = [cleaned[bounds[2 * i] : bounds[2 * i + 1]] for i in range(len(names) + 1)]
    pieces = [_pieces(gap) for gap in gaps]
    out = _Collector()

    if not names:
        for piece in pieces[0]:
            out.piece(piece, people_named=False)
        return ResponsibleParse(tuple(out.items), tuple(out.warnings))

    # Positions follow their names ("Шабанова Н.С., заместитель директора") unless the cell opens
    # with one and does not close with one ("директор Иванова А.А."). Deciding once per cell is
    # what lets "…, заместитель директора по УВР Шарик Н.Н., …" attach the middle position right.
    opens_with_position = bool(pieces[0]) and pieces[0][-1].cls is _Cls.POSITION
    closes_with_position = bool(pieces[-1]) and pieces[-1][0].cls is _Cls.POSITION
    positions_lead = opens_with_position and not closes_with_position

    position_of: list[str | None] = [None] * len(names)
    used: list[range] = [range(0) for _ in gaps]
    for index in range(len(names)):
        gap = index if positions_lead else index + 1
        gap_pieces = pieces[gap]
        if positions_lead:
            count = _trailing_positions(gap_pieces)
            taken = range(len(gap_pieces) - count, len(gap_pieces))
        else:
            count = _leading_positions(gap_pieces)
            taken = range(count)
        if count:
            position_of[index] = _joined_position(gaps[gap], [gap_pieces[i] for i in taken])
            used[gap] = taken

    for gap_index, gap_pieces in enumerate(pieces):
        for piece_index, piece in enumerate(gap_pieces):
            if piece_index not in used[gap_index]:
                out.piece(piece, people_named=True)
        if gap_index < len(names):
            name = names[gap_index]
            out.add(Responsible(ResponsibleKind.PERSON, name.normalised, position_of[gap_index]))
    return ResponsibleParse(tuple(out.items), tuple(out.warnings))
