"""A small SPL parser for static checks of the add-on's searches (no SPL engine exists here).

Two stages, as SPL itself reads a search:
1. ``expand_macros`` replaces every `` `name(args)` `` outside strings and comments with its
   definition (``$arg$`` substituted), recursively, recording each call and its arity.
2. ``parse`` splits the expanded text into a pipeline of commands at ``|`` outside strings,
   comments (```` ```...``` ````) and subsearches (``[ ... ]``, parsed recursively), then
   reads each command's arguments with that command's grammar: search expressions
   (``field=value``, ``IN``, ``AND``/``OR``/``NOT``, parentheses, implicit AND), eval
   expressions (a precedence-climbing parser over eval's own tokens: ``'field'``,
   ``"string"``, numbers, operators, function calls), aggregations (``func(field) AS name
   ... BY f1, f2``), field lists, ``rename``, ``rex``, ``spath``, ``lookup`` and the rest of
   the commands the add-on uses. A command it does not know is an error, so a new command in
   a dashboard needs its grammar here first.

Each parsed command reports the fields it ``reads``, the fields it ``writes`` and whether it
``replaces`` the result set (transforming commands: only what it writes remains), which is
what ``tests/knowledge/fields.py`` checks against real events. Field names that are patterns
(``*``) are kept as written; callers match them.
"""

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple


class SplError(ValueError):
    """A search that does not parse; the message names the position and what was expected."""


# --------------------------------------------------------------------------- macros
@dataclass
class Macro:
    name: str
    args: List[str]
    definition: str


@dataclass
class MacroCall:
    name: str
    arity: int


def macro_key(name: str, arity: int) -> str:
    """macros.conf's stanza name: ``name`` without arguments, ``name(N)`` with N of them."""
    return f"{name}({arity})" if arity else name


def expand_macros(
    text: str, macros: Dict[str, Macro], calls: Optional[List[MacroCall]] = None, depth: int = 0
) -> str:
    """The search with every macro call replaced by its definition (recursively)."""
    if depth > 20:
        raise SplError("macro expansion nested more than 20 deep (a macro that calls itself?)")
    out = []
    at = 0
    for start, end in _macro_spans(text):
        out.append(text[at:start])
        body = text[start + 1 : end - 1].strip()
        match = re.fullmatch(r"([A-Za-z0-9_:.-]+)(?:\((.*)\))?", body, re.S)
        if not match:
            raise SplError(f"position {start}: malformed macro call `{body}`")
        name, arg_text = match.group(1), match.group(2)
        args = _split_macro_args(arg_text) if arg_text is not None else []
        if calls is not None:
            calls.append(MacroCall(name, len(args)))
        key = macro_key(name, len(args))
        macro = macros.get(key)
        if macro is None:
            raise SplError(f"position {start}: no macro {key}")
        if len(macro.args) != len(args):
            raise SplError(f"macro {key} declares {len(macro.args)} args, got {len(args)}")
        definition = macro.definition
        for arg_name, value in zip(macro.args, args):
            definition = definition.replace(f"${arg_name}$", value)
        out.append(expand_macros(definition, macros, calls, depth + 1))
        at = end
    out.append(text[at:])
    return "".join(out)


def _macro_spans(text: str) -> List[Tuple[int, int]]:
    spans = []
    i = 0
    while i < len(text):
        if text.startswith("```", i):
            end = text.find("```", i + 3)
            if end < 0:
                raise SplError(f"position {i}: unterminated comment")
            i = end + 3
        elif text[i] == '"':
            i = _string_end(text, i)
        elif text[i] == "`":
            end = text.find("`", i + 1)
            if end < 0:
                raise SplError(f"position {i}: unterminated macro call")
            spans.append((i, end + 1))
            i = end + 1
        else:
            i += 1
    return spans


def _split_macro_args(text: str) -> List[str]:
    args, depth, current, i = [], 0, "", 0
    while i < len(text):
        char = text[i]
        if char == '"':
            end = _string_end(text, i)
            current += text[i:end]
            i = end
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            args.append(current.strip())
            current = ""
        else:
            current += char
        i += 1
    args.append(current.strip())
    return args


def _string_end(text: str, start: int) -> int:
    """Index after the double-quoted string starting at start (backslash escapes)."""
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i + 1
        i += 1
    raise SplError(f"position {start}: unterminated string")


# --------------------------------------------------------------------------- tokens
@dataclass
class Token:
    kind: str  # WORD STR FIELD NUM OP LPAREN RPAREN COMMA SUB
    value: str
    pos: int

    def is_word(self, *words: str) -> bool:
        return self.kind == "WORD" and self.value.upper() in {w.upper() for w in words}


def _unescape(body: str) -> str:
    return re.sub(r"\\(.)", r"\1", body)


_ARG_OPS = ("!=", "==", "<=", ">=", "=", "<", ">")
_WORD_STOP = set(' \t\r\n"(),=<>!')


def lex_args(text: str, subsearch_marks: Sequence[int] = ()) -> List[Token]:
    """Tokens of a command's arguments: words (anything up to a space, quote, parenthesis,
    comma or comparison), strings, comparison operators, parentheses, commas, subsearches."""
    tokens = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char == "\x00":
            end = text.index("\x00", i + 1)
            tokens.append(Token("SUB", text[i + 1 : end], i))
            i = end + 1
        elif char == '"':
            end = _string_end(text, i)
            tokens.append(Token("STR", _unescape(text[i + 1 : end - 1]), i))
            i = end
        elif char in "(),":
            kind = {"(": "LPAREN", ")": "RPAREN", ",": "COMMA"}[char]
            tokens.append(Token(kind, char, i))
            i += 1
        elif any(text.startswith(op, i) for op in _ARG_OPS):
            op = next(op for op in _ARG_OPS if text.startswith(op, i))
            tokens.append(Token("OP", op, i))
            i += len(op)
        else:
            start = i
            while i < len(text) and text[i] not in _WORD_STOP and text[i] != "\x00":
                i += 1
            if i == start:  # a lone "!" not followed by "="
                raise SplError(f"position {i}: unexpected {char!r}")
            tokens.append(Token("WORD", text[start:i], start))
    return tokens


_EVAL_OPS = ("==", "!=", "<=", ">=", "=", "<", ">", "+", "-", "*", "/", "%", ".")


def lex_eval(text: str) -> List[Token]:
    """Tokens of an eval expression: 'field', "string", numbers, names, operators."""
    tokens = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char == '"':
            end = _string_end(text, i)
            tokens.append(Token("STR", _unescape(text[i + 1 : end - 1]), i))
            i = end
        elif char == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise SplError(f"position {i}: unterminated field name")
            tokens.append(Token("FIELD", text[i + 1 : end], i))
            i = end + 1
        elif char.isdigit() or (char == "." and text[i + 1 : i + 2].isdigit()):
            match = re.match(r"\d*\.?\d+(?:[eE][+-]?\d+)?", text[i:])
            tokens.append(Token("NUM", match.group(0), i))
            i += len(match.group(0))
        elif char.isalpha() or char == "_":
            match = re.match(r"[A-Za-z_][A-Za-z0-9_]*", text[i:])
            tokens.append(Token("WORD", match.group(0), i))
            i += len(match.group(0))
        elif char in "(),":
            kind = {"(": "LPAREN", ")": "RPAREN", ",": "COMMA"}[char]
            tokens.append(Token(kind, char, i))
            i += 1
        else:
            op = next((op for op in _EVAL_OPS if text.startswith(op, i)), None)
            if op is None:
                raise SplError(f"position {i}: unexpected {char!r} in an eval expression")
            tokens.append(Token("OP", op, i))
            i += len(op)
    return tokens


# --------------------------------------------------------------------------- eval
# name -> (min args, max args or None for any)
EVAL_FUNCTIONS = {
    "abs": (1, 1), "case": (2, None), "ceil": (1, 1), "ceiling": (1, 1), "cidrmatch": (2, 2),
    "coalesce": (1, None), "exact": (1, 1), "false": (0, 0), "floor": (1, 1), "if": (3, 3),
    "in": (2, None), "isnotnull": (1, 1), "isnull": (1, 1), "isnum": (1, 1), "isstr": (1, 1),
    "len": (1, 1), "like": (2, 2), "ln": (1, 1), "log": (1, 2), "lower": (1, 1),
    "ltrim": (1, 2), "match": (2, 2), "max": (1, None), "min": (1, None), "mvappend": (1, None),
    "mvcount": (1, 1), "mvdedup": (1, 1), "mvfilter": (1, 1), "mvindex": (2, 3),
    "mvjoin": (2, 2), "mvsort": (1, 1), "now": (0, 0), "null": (0, 0), "nullif": (2, 2),
    "pi": (0, 0), "pow": (2, 2), "printf": (1, None), "random": (0, 0), "relative_time": (2, 2),
    "replace": (3, 3), "round": (1, 2), "rtrim": (1, 2), "searchmatch": (1, 1), "split": (2, 2),
    "sqrt": (1, 1), "strftime": (2, 2), "strptime": (2, 2), "substr": (2, 3), "time": (0, 0),
    "tonumber": (1, 2), "tostring": (1, 2), "trim": (1, 2), "true": (0, 0), "typeof": (1, 1),
    "upper": (1, 1), "urldecode": (1, 1), "validate": (2, None),
}  # fmt: skip

# binding power of infix operators (higher binds tighter)
_INFIX = {
    "OR": 1, "XOR": 2, "AND": 3,
    "=": 5, "==": 5, "!=": 5, "<": 5, "<=": 5, ">": 5, ">=": 5, "LIKE": 5,
    "+": 6, "-": 6, ".": 6, "*": 7, "/": 7, "%": 7,
}  # fmt: skip


@dataclass
class EvalNode:
    kind: str  # field, str, num, call, op, not, neg
    value: str = ""
    children: List["EvalNode"] = field(default_factory=list)

    def fields(self) -> List[str]:
        found = [self.value] if self.kind == "field" else []
        for child in self.children:
            found.extend(child.fields())
        return found

    def calls(self) -> List[str]:
        found = [self.value] if self.kind == "call" else []
        for child in self.children:
            found.extend(child.calls())
        return found


class _Cursor:
    def __init__(self, tokens: List[Token], what: str) -> None:
        self.tokens = tokens
        self.at = 0
        self.what = what

    def peek(self, offset: int = 0) -> Optional[Token]:
        index = self.at + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def next(self) -> Token:
        token = self.peek()
        if token is None:
            raise SplError(f"{self.what}: unexpected end")
        self.at += 1
        return token

    def expect(self, kind: str, value: Optional[str] = None) -> Token:
        token = self.next()
        if token.kind != kind or (value is not None and token.value.upper() != value.upper()):
            want = value or kind
            raise SplError(f"{self.what}: expected {want} at {token.pos}, found {token.value!r}")
        return token

    def done(self) -> bool:
        return self.at >= len(self.tokens)


def parse_eval(text: str) -> EvalNode:
    cursor = _Cursor(lex_eval(text), "eval")
    node = _eval_expr(cursor, 0)
    if not cursor.done():
        token = cursor.peek()
        raise SplError(f"eval: unexpected {token.value!r} at {token.pos}")
    return node


def _eval_expr(cursor: _Cursor, min_power: int) -> EvalNode:
    left = _eval_prefix(cursor)
    while True:
        token = cursor.peek()
        if token is None:
            return left
        name = token.value.upper() if token.kind == "WORD" else token.value
        if token.kind not in ("OP", "WORD") or name not in _INFIX:
            return left
        power = _INFIX[name]
        if power <= min_power:
            return left
        cursor.next()
        right = _eval_expr(cursor, power)
        left = EvalNode("op", name, [left, right])


def _eval_prefix(cursor: _Cursor) -> EvalNode:
    token = cursor.next()
    if token.kind == "LPAREN":
        node = _eval_expr(cursor, 0)
        cursor.expect("RPAREN")
        return node
    if token.kind == "STR":
        return EvalNode("str", token.value)
    if token.kind == "NUM":
        return EvalNode("num", token.value)
    if token.kind == "FIELD":
        return EvalNode("field", token.value)
    if token.kind == "OP" and token.value in "-+":
        return EvalNode("neg", token.value, [_eval_expr(cursor, 7)])
    if token.kind == "WORD" and token.value == "NOT":
        return EvalNode("not", "NOT", [_eval_expr(cursor, 4)])
    if token.kind == "WORD":
        following = cursor.peek()
        if following is not None and following.kind == "LPAREN":
            return _eval_call(cursor, token)
        if token.value in ("AND", "OR", "XOR", "LIKE"):
            raise SplError(f"eval: operator {token.value} at {token.pos} has no left operand")
        return EvalNode("field", token.value)
    raise SplError(f"eval: unexpected {token.value!r} at {token.pos}")


def _eval_call(cursor: _Cursor, name: Token) -> EvalNode:
    function = name.value.lower()
    if function not in EVAL_FUNCTIONS:
        raise SplError(f"eval: unknown function {name.value}() at {name.pos}")
    cursor.expect("LPAREN")
    args = []
    if cursor.peek() is not None and cursor.peek().kind == "RPAREN":
        cursor.next()
    else:
        while True:
            args.append(_eval_expr(cursor, 0))
            token = cursor.next()
            if token.kind == "RPAREN":
                break
            if token.kind != "COMMA":
                raise SplError(f"eval: expected , or ) at {token.pos}, found {token.value!r}")
    low, high = EVAL_FUNCTIONS[function]
    if len(args) < low or (high is not None and len(args) > high):
        raise SplError(f"eval: {function}() takes {low}..{high or 'any'} args, got {len(args)}")
    return EvalNode("call", function, args)


# --------------------------------------------------------------------------- search
@dataclass
class Comparison:
    field: str
    op: str  # = != < <= > >= IN
    values: List[str]


@dataclass
class SearchExpr:
    comparisons: List[Comparison] = field(default_factory=list)
    terms: List[str] = field(default_factory=list)  # bare words and phrases
    subsearches: List["Pipeline"] = field(default_factory=list)


TIME_MODIFIERS = {"earliest", "latest", "_index_earliest", "_index_latest", "starttime",
                  "endtime", "timeformat"}  # fmt: skip


def parse_search(tokens: List[Token], subsearches: List["Pipeline"]) -> SearchExpr:
    cursor = _Cursor(tokens, "search")
    expr = SearchExpr()
    if not cursor.done():
        _search_or(cursor, expr, subsearches)
    if not cursor.done():
        token = cursor.peek()
        raise SplError(f"search: unexpected {token.value!r} at {token.pos}")
    return expr


def _search_or(cursor: _Cursor, expr: SearchExpr, subs: List["Pipeline"]) -> None:
    _search_and(cursor, expr, subs)
    while cursor.peek() is not None and cursor.peek().is_word("OR"):
        cursor.next()
        _search_and(cursor, expr, subs)


def _search_and(cursor: _Cursor, expr: SearchExpr, subs: List["Pipeline"]) -> None:
    _search_not(cursor, expr, subs)
    while True:
        token = cursor.peek()
        if token is None or token.kind == "RPAREN" or token.is_word("OR"):
            return
        if token.is_word("AND"):
            cursor.next()
        _search_not(cursor, expr, subs)


def _search_not(cursor: _Cursor, expr: SearchExpr, subs: List["Pipeline"]) -> None:
    token = cursor.peek()
    if token is not None and token.is_word("NOT"):
        cursor.next()
        _search_not(cursor, expr, subs)
        return
    _search_atom(cursor, expr, subs)


def _search_atom(cursor: _Cursor, expr: SearchExpr, subs: List["Pipeline"]) -> None:
    token = cursor.next()
    if token.kind == "LPAREN":
        _search_or(cursor, expr, subs)
        cursor.expect("RPAREN")
        return
    if token.kind == "SUB":
        expr.subsearches.append(subs[int(token.value)])
        return
    if token.kind == "WORD" and token.value.upper() in ("AND", "OR"):
        raise SplError(f"search: {token.value} at {token.pos} has no left operand")
    if token.kind not in ("WORD", "STR"):
        raise SplError(f"search: unexpected {token.value!r} at {token.pos}")
    following = cursor.peek()
    if token.kind == "WORD" and following is not None and following.kind == "OP":
        op = cursor.next().value
        value = cursor.next()
        if value.kind not in ("WORD", "STR"):
            raise SplError(f"search: {token.value}{op} needs a value at {value.pos}")
        expr.comparisons.append(Comparison(token.value, op, [value.value]))
        return
    if token.kind == "WORD" and following is not None and following.is_word("IN"):
        cursor.next()
        cursor.expect("LPAREN")
        values = []
        while True:
            value = cursor.next()
            if value.kind == "RPAREN":
                break
            if value.kind == "COMMA":
                continue
            if value.kind not in ("WORD", "STR"):
                raise SplError(f"search: IN list holds {value.value!r} at {value.pos}")
            values.append(value.value)
        if not values:
            raise SplError(f"search: empty IN list for {token.value}")
        expr.comparisons.append(Comparison(token.value, "IN", values))
        return
    expr.terms.append(token.value)


# --------------------------------------------------------------------------- commands
@dataclass
class Command:
    name: str
    text: str  # the arguments as written (macros expanded, subsearches marked)
    reads: List[str] = field(default_factory=list)
    writes: List[str] = field(default_factory=list)
    replaces: bool = False  # transforming: only `writes` remain afterwards
    removes: List[str] = field(default_factory=list)
    keeps_only: Optional[List[str]] = None  # table / fields +
    open_writes: bool = False  # writes fields whose names depend on the data
    search: Optional[SearchExpr] = None  # search command
    options: Dict[str, str] = field(default_factory=dict)
    subsearches: List["Pipeline"] = field(default_factory=list)
    source: Optional[str] = None  # generating commands: lookup name, REST path, data model


@dataclass
class Pipeline:
    commands: List[Command]
    generating: bool = False  # starts with "| command" rather than a search


STATS_FUNCTIONS = {
    "avg", "count", "dc", "distinct_count", "earliest", "earliest_time", "estdc", "first",
    "last", "latest", "latest_time", "list", "max", "mean", "median", "min", "mode", "range",
    "rate", "stdev", "stdevp", "sum", "sumsq", "values", "var", "varp",
}  # fmt: skip
_PERCENTILE = re.compile(r"(?:perc|p|exactperc|upperperc)\d{1,2}(?:\.\d+)?$")


def _stats_function(name: str) -> bool:
    lowered = name.lower()
    return lowered in STATS_FUNCTIONS or bool(_PERCENTILE.match(lowered))


def _options(cursor: _Cursor, known: Sequence[str]) -> Dict[str, str]:
    """Leading ``name=value`` options whose names are in known."""
    options = {}
    while True:
        token, op, value = cursor.peek(), cursor.peek(1), cursor.peek(2)
        if token is None or op is None or value is None:
            return options
        if token.kind != "WORD" or op.kind != "OP" or op.value != "=":
            return options
        if token.value not in known:
            return options
        if value.kind not in ("WORD", "STR"):
            raise SplError(f"option {token.value}= needs a value at {value.pos}")
        cursor.at += 3
        options[token.value] = value.value


def _aggregations(cursor: _Cursor, command: Command, stop: Sequence[str] = ("BY", "OVER")):
    """``func(field) [AS name]`` (or ``func(eval(expr))``, or bare ``count``), comma or
    space separated, up to BY."""
    while True:
        token = cursor.peek()
        if token is None or token.is_word(*stop):
            break
        if token.kind == "COMMA":
            cursor.next()
            continue
        token = cursor.expect("WORD")
        if not _stats_function(token.value):
            raise SplError(f"{command.name}: unknown function {token.value} at {token.pos}")
        argument = None
        if cursor.peek() is not None and cursor.peek().kind == "LPAREN":
            cursor.next()
            inner = cursor.next()
            if inner.is_word("eval"):
                start = cursor.expect("LPAREN").pos
                depth, end = 1, None
                while depth:
                    part = cursor.next()
                    depth += {"LPAREN": 1, "RPAREN": -1}.get(part.kind, 0)
                    end = part.pos
                expression = command.text[start + 1 : end]
                command.reads.extend(parse_eval(expression).fields())
                argument = f"eval({expression})"
            elif inner.kind in ("WORD", "STR"):
                argument = inner.value
                command.reads.append(inner.value)
            else:
                raise SplError(f"{command.name}: {token.value}( needs a field at {inner.pos}")
            cursor.expect("RPAREN")
        elif token.value.lower() not in ("count", "c"):
            raise SplError(f"{command.name}: {token.value} needs (field) at {token.pos}")
        name = f"{token.value}({argument})" if argument is not None else token.value
        following = cursor.peek()
        if following is not None and following.is_word("AS"):
            cursor.next()
            name = _name(cursor.next(), command)
        command.writes.append(name)


def _name(token: Token, command: Command) -> str:
    if token.kind not in ("WORD", "STR"):
        raise SplError(f"{command.name}: expected a field name at {token.pos}")
    return token.value


def _field_list(cursor: _Cursor, command: Command, stop: Sequence[str] = ()) -> List[str]:
    names = []
    while not cursor.done():
        token = cursor.peek()
        if token.is_word(*stop):
            break
        if token.kind == "COMMA":
            cursor.next()
            continue
        following = cursor.peek(1)
        if following is not None and following.kind == "OP" and following.value == "=":
            break  # an option (span=1h) ends the list
        names.append(_name(cursor.next(), command))
    return names


def _by_clause(cursor: _Cursor, command: Command) -> List[str]:
    token = cursor.peek()
    if token is None:
        return []
    if not token.is_word("BY"):
        raise SplError(f"{command.name}: expected BY at {token.pos}, found {token.value!r}")
    cursor.next()
    names = _field_list(cursor, command)
    if not names:
        raise SplError(f"{command.name}: BY without fields")
    return names


def _cmd_search(command: Command, tokens: List[Token], subs: List["Pipeline"]) -> None:
    command.search = parse_search(tokens, subs)
    command.subsearches = command.search.subsearches
    command.reads.extend(c.field for c in command.search.comparisons)


def _cmd_where(command: Command, tokens: List[Token], subs: List["Pipeline"]) -> None:
    if not command.text.strip():
        raise SplError("where: missing expression")
    command.reads.extend(parse_eval(command.text).fields())


def _cmd_eval(command: Command, tokens: List[Token], subs: List["Pipeline"]) -> None:
    """``eval a=expr, b=expr``: split at commas outside parentheses."""
    parts, depth, start = [], 0, 0
    lexed = lex_eval(command.text)
    for token in lexed:
        depth += {"LPAREN": 1, "RPAREN": -1}.get(token.kind, 0)
        if token.kind == "COMMA" and depth == 0:
            parts.append(command.text[start : token.pos])
            start = token.pos + 1
    parts.append(command.text[start:])
    for part in parts:
        match = re.match(r"\s*(?:'([^']+)'|([A-Za-z_][\w.{}:-]*))\s*=(?!=)", part)
        if not match:
            raise SplError(f"{command.name}: expected name=expression, found {part.strip()!r}")
        expression = part[match.end() :]
        if not expression.strip():
            raise SplError(f"{command.name}: {match.group(0).strip()} has no expression")
        reads = parse_eval(expression).fields()
        command.reads.extend(r for r in reads if r not in command.writes)
        command.writes.append(match.group(1) or match.group(2))


def _cmd_stats(command: Command, tokens: List[Token], subs: List["Pipeline"]) -> None:
    cursor = _Cursor(tokens, command.name)
    known = ("allnum", "delim", "partitions", "dedup_splitvals", "global", "window",
             "current", "reset_on_change", "time_window")  # fmt: skip
    command.options = _options(cursor, known)
    _aggregations(cursor, command)
    if not command.writes:
        raise SplError(f"{command.name}: no aggregation")
    by = _by_clause(cursor, command)
    command.reads.extend(by)
    command.writes.extend(by)
    command.replaces = command.name == "stats"


def _cmd_timechart(command: Command, tokens: List[Token], subs: List["Pipeline"]) -> None:
    cursor = _Cursor(tokens, command.name)
    known = ("span", "limit", "useother", "usenull", "bins", "cont", "partial", "fixedrange",
             "minspan", "otherstr", "nullstr", "agg", "format", "sep", "aligntime")  # fmt: skip
    command.options = _options(cursor, known)
    _aggregations(cursor, command)
    if not command.writes:
        raise SplError(f"{command.name}: no aggregation")
    command.options.update(_options(cursor, known))
    over = []
    if command.name == "chart" and cursor.peek() is not None and cursor.peek().is_word("OVER"):
        cursor.next()
        over = [_name(cursor.next(), command)]
    by = _by_clause(cursor, command)
    command.reads.extend(over + by)
    command.writes.extend(over + (["_time"] if command.name == "timechart" else []))
    if command.name == "chart" and not over and by:
        command.writes.append(by[0])
    command.replaces = True
    command.open_writes = bool(by)  # one column per value of the split field


def _cmd_top(command: Command, tokens: List[Token], subs: List["Pipeline"]) -> None:
    cursor = _Cursor(tokens, command.name)
    known = ("limit", "countfield", "percentfield", "showcount", "showperc", "useother",
             "otherstr")  # fmt: skip
    command.options = _options(cursor, known)
    fields = _field_list(cursor, command, stop=("BY",))
    if not fields:
        raise SplError(f"{command.name}: no field")
    by = _by_clause(cursor, command)
    command.reads.extend(fields + by)
    counts = [command.options.get("countfield", "count"),
              command.options.get("percentfield", "percent")]  # fmt: skip
    command.writes.extend(fields + by + counts)
    command.replaces = True


def _cmd_table(command: Command, tokens: List[Token], subs: List["Pipeline"]) -> None:
    cursor = _Cursor(tokens, command.name)
    mode = "+"
    if command.name == "fields" and cursor.peek() is not None and cursor.peek().value in "+-":
        mode = cursor.next().value
    names = _field_list(cursor, command)
    if not names:
        raise SplError(f"{command.name}: no fields")
    if mode == "-":
        command.removes.extend(names)
    else:
        command.reads.extend(names)
        command.keeps_only = names


def _cmd_rename(command: Command, tokens: List[Token], subs: List["Pipeline"]) -> None:
    cursor = _Cursor(tokens, command.name)
    while not cursor.done():
        if cursor.peek().kind == "COMMA":
            cursor.next()
            continue
        old = _name(cursor.next(), command)
        cursor.expect("WORD", "AS")
        new = _name(cursor.next(), command)
        command.reads.append(old)
        command.removes.append(old)
        command.writes.append(new)
    if not command.writes:
        raise SplError("rename: nothing to rename")


def _cmd_sort(command: Command, tokens: List[Token], subs: List["Pipeline"]) -> None:
    cursor = _Cursor(tokens, command.name)
    command.options = _options(cursor, ("limit",))
    if cursor.peek() is not None and cursor.peek().value.isdigit():
        cursor.next()
    while not cursor.done():
        token = cursor.next()
        if token.kind == "COMMA" or (token.kind == "WORD" and token.value in "+-"):
            continue
        name = _name(token, command).lstrip("+-")
        if name.lower() in ("num", "str", "ip", "auto") and cursor.peek() is not None \
                and cursor.peek().kind == "LPAREN":  # fmt: skip
            cursor.next()
            name = _name(cursor.next(), command)
            cursor.expect("RPAREN")
        if name.lower() in ("d", "desc"):
            continue
        command.reads.append(name)
    if not command.reads:
        raise SplError("sort: no field")


def _cmd_head(command: Command, tokens: List[Token], subs: List["Pipeline"]) -> None:
    cursor = _Cursor(tokens, command.name)
    command.options = _options(cursor, ("limit", "null", "keeplast"))
    if not cursor.done():
        token = cursor.next()
        if not token.value.isdigit() or not cursor.done():
            raise SplError(f"{command.name}: expected a count, found {token.value!r}")


def _cmd_dedup(command: Command, tokens: List[Token], subs: List["Pipeline"]) -> None:
    cursor = _Cursor(tokens, command.name)
    if cursor.peek() is not None and cursor.peek().value.isdigit():
        cursor.next()
    known = ("keepevents", "keepempty", "consecutive")
    command.options = _options(cursor, known)
    names = _field_list(cursor, command, stop=("sortby",) + known)
    command.options.update(_options(cursor, known))
    if not names:
        raise SplError("dedup: no field")
    command.reads.extend(names)
    if cursor.peek() is not None and cursor.peek().is_word("sortby"):
        cursor.next()
        for token in cursor.tokens[cursor.at :]:
            if token.kind in ("WORD", "STR") and token.value not in "+-":
                command.reads.append(token.value.lstrip("+-"))
        cursor.at = len(cursor.tokens)
    if not cursor.done():
        raise SplError(f"dedup: unexpected {cursor.peek().value!r}")


_NAMED_GROUP = re.compile(r"\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>")


def _cmd_rex(command: Command, tokens: List[Token], subs: List["Pipeline"]) -> None:
    cursor = _Cursor(tokens, command.name)
    command.options = _options(cursor, ("field", "max_match", "offset_field", "mode"))
    regex = cursor.expect("STR").value
    command.options.update(_options(cursor, ("field", "max_match", "offset_field", "mode")))
    if not cursor.done():
        raise SplError(f"rex: unexpected {cursor.peek().value!r}")
    command.reads.append(command.options.get("field", "_raw"))
    if command.options.get("mode") == "sed":
        return
    try:
        re.compile(regex.replace("(?<", "(?P<").replace("(?P<=", "(?<=").replace("(?P<!", "(?<!"))
    except re.error as error:
        raise SplError(f"rex: invalid regular expression: {error}") from error
    command.writes.extend(_NAMED_GROUP.findall(regex))
    if not command.writes:
        raise SplError("rex: the regular expression names no group")


def _cmd_spath(command: Command, tokens: List[Token], subs: List["Pipeline"]) -> None:
    cursor = _Cursor(tokens, command.name)
    command.options = _options(cursor, ("input", "output", "path"))
    if not cursor.done():
        command.options.setdefault("path", _name(cursor.next(), command))
    command.options.update(_options(cursor, ("input", "output", "path")))
    if not cursor.done():
        raise SplError(f"spath: unexpected {cursor.peek().value!r}")
    command.reads.append(command.options.get("input", "_raw"))
    if "path" in command.options:
        command.writes.append(command.options.get("output", command.options["path"]))
    else:
        command.open_writes = True


def _lookup_pairs(cursor: _Cursor, command: Command, stop: Sequence[str]) -> List[Tuple]:
    pairs = []
    while not cursor.done() and not cursor.peek().is_word(*stop):
        if cursor.peek().kind == "COMMA":
            cursor.next()
            continue
        name = _name(cursor.next(), command)
        alias = name
        if cursor.peek() is not None and cursor.peek().is_word("AS"):
            cursor.next()
            alias = _name(cursor.next(), command)
        pairs.append((name, alias))
    return pairs


def _cmd_lookup(command: Command, tokens: List[Token], subs: List["Pipeline"]) -> None:
    """``lookup name lookup_field [AS event_field] ... [OUTPUT|OUTPUTNEW field [AS name] ...]``"""
    cursor = _Cursor(tokens, command.name)
    command.options = _options(cursor, ("local", "update", "event_time_field"))
    command.source = _name(cursor.next(), command)
    inputs = _lookup_pairs(cursor, command, ("OUTPUT", "OUTPUTNEW"))
    if not inputs:
        raise SplError("lookup: no input field")
    command.options["lookup_inputs"] = ",".join(name for name, _ in inputs)
    command.reads.extend(alias for _, alias in inputs)
    outputs = []
    if not cursor.done():
        cursor.next()
        outputs = _lookup_pairs(cursor, command, ())
        if not outputs:
            raise SplError("lookup: OUTPUT without fields")
    command.options["lookup_outputs"] = ",".join(name for name, _ in outputs)
    command.writes.extend(alias for _, alias in outputs)
    command.open_writes = not outputs  # every other field of the lookup


def _cmd_inputlookup(command: Command, tokens: List[Token], subs: List["Pipeline"]) -> None:
    cursor = _Cursor(tokens, command.name)
    command.options = _options(cursor, ("append", "start", "max"))
    command.source = _name(cursor.next(), command)
    if cursor.peek() is not None and cursor.peek().is_word("where"):
        start = cursor.next().pos + len("where")
        command.reads.extend(parse_eval(command.text[start:]).fields())
        cursor.at = len(cursor.tokens)
    if not cursor.done():
        raise SplError(f"inputlookup: unexpected {cursor.peek().value!r}")
    command.replaces = True


def _cmd_rest(command: Command, tokens: List[Token], subs: List["Pipeline"]) -> None:
    cursor = _Cursor(tokens, command.name)
    known = ("splunk_server", "splunk_server_group", "count", "timeout", "f")
    command.options = _options(cursor, known)
    command.source = _name(cursor.next(), command)
    if not command.source.startswith("/"):
        raise SplError(f"rest: expected an endpoint path, found {command.source!r}")
    command.options.update(_options(cursor, known))
    if not cursor.done():
        raise SplError(f"rest: unexpected {cursor.peek().value!r}")
    command.replaces = True


def _cmd_fillnull(command: Command, tokens: List[Token], subs: List["Pipeline"]) -> None:
    cursor = _Cursor(tokens, command.name)
    command.options = _options(cursor, ("value",))
    names = _field_list(cursor, command)
    command.writes.extend(names)  # fillnull creates the field where it is missing


def _cmd_bin(command: Command, tokens: List[Token], subs: List["Pipeline"]) -> None:
    cursor = _Cursor(tokens, command.name)
    known = ("span", "bins", "minspan", "start", "end", "aligntime")
    command.options = _options(cursor, known)
    name = _name(cursor.next(), command)
    command.options.update(_options(cursor, known))
    alias = name
    if cursor.peek() is not None and cursor.peek().is_word("AS"):
        cursor.next()
        alias = _name(cursor.next(), command)
    if not cursor.done():
        raise SplError(f"bin: unexpected {cursor.peek().value!r}")
    command.reads.append(name)
    command.writes.append(alias)


def _cmd_mv(command: Command, tokens: List[Token], subs: List["Pipeline"]) -> None:
    cursor = _Cursor(tokens, command.name)
    command.options = _options(cursor, ("delim", "tokenizer", "allowempty", "setsv", "limit"))
    name = _name(cursor.next(), command)
    if not cursor.done():
        raise SplError(f"{command.name}: unexpected {cursor.peek().value!r}")
    command.reads.append(name)


def _cmd_tstats(command: Command, tokens: List[Token], subs: List["Pipeline"]) -> None:
    """``tstats [options] aggregations FROM datamodel=Model[.Dataset] [WHERE ...] [BY ...]``"""
    cursor = _Cursor(tokens, command.name)
    known = ("summariesonly", "allow_old_summaries", "prestats", "local", "append",
             "chunk_size", "fillnull_value", "include_reduced_buckets")  # fmt: skip
    command.options = _options(cursor, known)
    _aggregations(cursor, command, stop=("FROM",))
    if not command.writes:
        raise SplError("tstats: no aggregation")
    cursor.expect("WORD", "FROM")
    if cursor.next().value != "datamodel" or cursor.next().value != "=":
        raise SplError("tstats: expected FROM datamodel=<model>")
    command.source = _name(cursor.next(), command)
    clause = []
    while not cursor.done() and not cursor.peek().is_word("BY"):
        clause.append(cursor.next())
    if clause:
        if not clause[0].is_word("WHERE"):
            raise SplError(f"tstats: expected WHERE or BY, found {clause[0].value!r}")
        where = parse_search(clause[1:], subs)
        command.reads.extend(c.field for c in where.comparisons)
    by = _by_clause(cursor, command) if not cursor.done() else []
    command.options.update(_options(cursor, ("span",)))
    command.reads.extend(by)
    command.writes.extend(by)
    command.replaces = True


def _cmd_makeresults(command: Command, tokens: List[Token], subs: List["Pipeline"]) -> None:
    cursor = _Cursor(tokens, command.name)
    command.options = _options(cursor, ("count", "annotate", "splunk_server"))
    if not cursor.done():
        raise SplError(f"makeresults: unexpected {cursor.peek().value!r}")
    command.writes.append("_time")
    command.replaces = True


COMMANDS = {
    "search": _cmd_search, "where": _cmd_where, "eval": _cmd_eval, "fieldformat": _cmd_eval,
    "stats": _cmd_stats, "eventstats": _cmd_stats, "streamstats": _cmd_stats,
    "timechart": _cmd_timechart, "chart": _cmd_timechart, "top": _cmd_top, "rare": _cmd_top,
    "table": _cmd_table, "fields": _cmd_table, "rename": _cmd_rename, "sort": _cmd_sort,
    "head": _cmd_head, "tail": _cmd_head, "dedup": _cmd_dedup, "rex": _cmd_rex,
    "spath": _cmd_spath, "lookup": _cmd_lookup, "inputlookup": _cmd_inputlookup,
    "rest": _cmd_rest, "fillnull": _cmd_fillnull, "bin": _cmd_bin, "bucket": _cmd_bin,
    "makemv": _cmd_mv, "mvexpand": _cmd_mv, "tstats": _cmd_tstats,
    "makeresults": _cmd_makeresults,
}  # fmt: skip
GENERATING = {"inputlookup", "rest", "tstats", "makeresults", "search"}


# --------------------------------------------------------------------------- pipeline
def parse(text: str) -> Pipeline:
    """The pipeline of an expanded search (no macro calls left)."""
    pipeline, end = _parse_pipeline(text, 0, top=True)
    return pipeline


def _parse_pipeline(text: str, start: int, top: bool) -> Tuple[Pipeline, int]:
    segments, subsearches = [], []  # type: List[str], List[Pipeline]
    current = []
    i = start
    while True:
        if i >= len(text):
            if not top:
                raise SplError(f"position {start}: subsearch without a closing ]")
            break
        char = text[i]
        if text.startswith("```", i):
            end = text.find("```", i + 3)
            if end < 0:
                raise SplError(f"position {i}: unterminated comment")
            current.append(" ")
            i = end + 3
        elif char == '"':
            end = _string_end(text, i)
            current.append(text[i:end])
            i = end
        elif char == "`":
            raise SplError(f"position {i}: macro call left unexpanded")
        elif char == "[":
            sub, i = _parse_pipeline(text, i + 1, top=False)
            current.append(f" \x00{len(subsearches)}\x00 ")
            subsearches.append(sub)
        elif char == "]":
            if top:
                raise SplError(f"position {i}: ] without [")
            i += 1
            break
        elif char == "|":
            segments.append("".join(current))
            current = []
            i += 1
        else:
            current.append(char)
            i += 1
    segments.append("".join(current))
    generating = False
    if segments and not segments[0].strip():
        if len(segments) == 1:
            raise SplError(f"position {start}: empty search")
        segments = segments[1:]
        generating = True
    commands = []
    for number, segment in enumerate(segments):
        implicit = number == 0 and not generating
        commands.append(_command(segment, subsearches, implicit_search=implicit))
    if generating and commands[0].name not in GENERATING:
        raise SplError(f"{commands[0].name} cannot start a search")
    return Pipeline(commands, generating), i


def _command(segment: str, subsearches: List[Pipeline], implicit_search: bool) -> Command:
    stripped = segment.strip()
    if implicit_search:
        name, rest = "search", stripped
        if re.match(r"search\b", stripped, re.I):
            rest = stripped[len("search") :]
    else:
        match = re.match(r"([A-Za-z_]+)\b", stripped)
        if not match:
            raise SplError(f"expected a command, found {stripped[:20]!r}")
        name, rest = match.group(1).lower(), stripped[match.end() :]
    handler = COMMANDS.get(name)
    if handler is None:
        raise SplError(f"unknown command {name!r}")
    command = Command(name, rest)
    handler(command, lex_args(rest), subsearches)
    return command
