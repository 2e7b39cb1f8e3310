"""Parse BigQuery's procedural language: a script's control flow around its SQL statements.

sqlglot's BigQuery dialect parses few procedural statements, so this is a small statement-level
parser over sqlglot's tokens: it matches the procedural keywords (DECLARE, SET, IF, LOOP, WHILE,
REPEAT, FOR, BREAK, CONTINUE, BEGIN … EXCEPTION … END, RAISE, RETURN) and hands every SQL
statement, expression, type and query inside them to sqlglot, so they are parsed, checked and
generated like any query. Errors are BigQuery's "Syntax error: … at [line:column]".

The result is a list of nodes (`Block.body`); a script without procedural statements is a list
of `Statement` nodes, one per SQL statement.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlglot import exp
from sqlglot.tokens import Token, TokenType

from console.engine import params
from console.engine.parse import describe, parse_expression, parse_tokens, token_location, tokenize
from console.errors import InvalidError

LOOPS = ("LOOP", "WHILE", "REPEAT", "FOR")
# Words that end a statement list: the END of a block or loop, an IF's next branch, a handler.
ENDS = ("END", "ELSEIF", "ELSE", "EXCEPTION", "UNTIL")
OPENS = (TokenType.L_PAREN, TokenType.L_BRACKET)
CLOSES = (TokenType.R_PAREN, TokenType.R_BRACKET)


@dataclass
class Node:
    """A statement of the script: where it is (its first and last tokens) and its text."""

    first: Token
    last: Token
    text: str

    @property
    def line(self) -> int:
        return self.first.line

    @property
    def column(self) -> int:
        return self.first.col - (self.first.end - self.first.start)

    @property
    def location(self) -> str:
        return f" at [{self.line}:{self.column}]"

    def frame(self) -> dict[str, object]:
        """Return the statement's stack frame, as a child job's scriptStatistics shows it."""
        return {
            "startLine": self.line,
            "startColumn": self.column,
            "endLine": self.last.line,
            "endColumn": self.last.col + 1,
            "text": self.text,
        }


@dataclass
class Statement(Node):
    """A SQL statement (a query, DDL, DML): it runs from the statement table."""

    tree: exp.Expression = None


@dataclass
class Declare(Node):
    names: list[str] = field(default_factory=list)
    type: params.ParamType | None = None
    default: exp.Select | None = None


@dataclass
class Assign(Node):
    """SET x = value, or SET (a, b) = value (a STRUCT or a tuple); a name may be @@system."""

    names: list[str] = field(default_factory=list)
    value: exp.Select = None
    tuple: bool = False


@dataclass
class If(Node):
    branches: list[tuple[exp.Select, list[Node]]] = field(default_factory=list)
    otherwise: list[Node] | None = None


@dataclass
class Loop(Node):
    """LOOP, WHILE (a condition checked first), REPEAT (until checked last) or FOR … IN (query)."""

    kind: str = "LOOP"
    label: str | None = None
    body: list[Node] = field(default_factory=list)
    condition: exp.Select | None = None
    variable: str | None = None
    query: Statement | None = None


@dataclass
class Jump(Node):
    """BREAK / LEAVE or CONTINUE / ITERATE, with its optional label."""

    kind: str = "BREAK"
    label: str | None = None


@dataclass
class Block(Node):
    """BEGIN … [EXCEPTION WHEN ERROR THEN …] END: its variables end with it."""

    label: str | None = None
    body: list[Node] = field(default_factory=list)
    handler: list[Node] | None = None


@dataclass
class Raise(Node):
    message: exp.Select | None = None


@dataclass
class Return(Node):
    pass


def parse(sql: str) -> list[Node]:
    """Parse a script into its statements, checking BigQuery's rules for where each may stand."""
    if not sql.strip():
        raise InvalidError("Syntax error: Unexpected end of script at [1:1]")
    tokens = tokenize(sql)
    if not tokens:
        raise InvalidError("Syntax error: Unexpected end of script at [1:1]")
    parser = _Parser(sql, tokens)
    body = parser.statements()
    if parser.index < len(tokens):
        raise parser.unexpected()
    _check_placement(body, [])
    return body


def is_script(body: list[Node]) -> bool:
    """Return whether body needs the interpreter: more than one statement, or control flow."""
    return len(body) > 1 or not isinstance(body[0], Statement)


def walk(body: list[Node]) -> Iterator[Node]:
    """Yield every node of body and of the statements nested in it, in the order of the text."""
    for node in body:
        yield node
        if isinstance(node, If):
            for _, branch in node.branches:
                yield from walk(branch)
            yield from walk(node.otherwise or [])
        elif isinstance(node, Loop):
            if node.query is not None:
                yield node.query
            yield from walk(node.body)
        elif isinstance(node, Block):
            yield from walk(node.body)
            yield from walk(node.handler or [])


def expressions(node: Node) -> list[exp.Select]:
    """Return the expressions a procedural statement evaluates (not its nested statements), each
    as the one-row SELECT that evaluates it."""
    if isinstance(node, Declare):
        return [node.default] if node.default is not None else []
    if isinstance(node, Assign):
        return [node.value]
    if isinstance(node, If):
        return [condition for condition, _ in node.branches]
    if isinstance(node, Loop):
        return [node.condition] if node.condition is not None else []
    if isinstance(node, Raise):
        return [node.message] if node.message is not None else []
    return []


class _Parser:
    def __init__(self, sql: str, tokens: list[Token]) -> None:
        self.sql = sql
        self.tokens = tokens
        self.index = 0

    # Looking at tokens ---------------------------------------------------------------------

    def word(self, offset: int = 0) -> str:
        """Return the upper-cased text of a token ahead ("" past the end); quoted names stay."""
        index = self.index + offset
        if index >= len(self.tokens):
            return ""
        token = self.tokens[index]
        return self.sql[token.start : token.end + 1].upper()

    def at(self, *words: str) -> bool:
        return all(self.word(offset) == word for offset, word in enumerate(words))

    @property
    def current(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def unexpected(self, expected: str = "") -> InvalidError:
        token = self.current
        where = token_location(token) if token else self._end_location()
        got = describe(self.sql, token)
        if expected:
            return InvalidError(f"Syntax error: Expected {expected} but got {got}{where}")
        return InvalidError(f"Syntax error: Unexpected {got}{where}")

    def _end_location(self) -> str:
        last = self.tokens[-1]
        return f" at [{last.line}:{last.col + 1}]"

    def expect(self, *words: str) -> Token:
        first = self.current
        for word in words:
            if self.word() != word:
                raise self.unexpected(f"keyword {word}")
            self.index += 1
        return first

    def semicolon(self) -> Token:
        """Consume the statement's closing semicolon; the script's last may have none."""
        if self.current is not None and self.current.token_type == TokenType.SEMICOLON:
            self.index += 1
            return self.tokens[self.index - 1]
        if self.current is not None:
            raise self.unexpected('";"')
        return self.tokens[-1]

    def name(self) -> str:
        token = self.current
        named = token is not None and token.token_type in (TokenType.VAR, TokenType.IDENTIFIER)
        if not named and (token is None or not self.word().isidentifier()):
            raise self.unexpected("identifier")
        self.index += 1
        return token.text

    def node(self, cls: type[Node], first: Token, **fields: object) -> Node:
        last = self.tokens[self.index - 1]
        text = self.sql[first.start : last.end + 1]
        if text.endswith(";"):
            text = text[:-1].rstrip()
        return cls(first=first, last=last, text=text, **fields)

    # Pieces handed to sqlglot --------------------------------------------------------------

    def until(self, *stops: tuple[str, ...]) -> list[Token]:
        """Return the tokens up to one of stops (a sequence of words) outside any brackets."""
        start, depth, cases = self.index, 0, 0
        while self.current is not None:
            token = self.current
            if depth == 0 and cases == 0 and any(self.at(*stop) for stop in stops):
                break
            if token.token_type in OPENS:
                depth += 1
            elif token.token_type in CLOSES:
                depth -= 1
            elif self.word() == "CASE":
                cases += 1
            elif self.word() == "END" and cases:
                cases -= 1
            elif token.token_type == TokenType.SEMICOLON and depth == 0:
                break
            self.index += 1
        return self.tokens[start : self.index]

    def expression(self, *stops: tuple[str, ...]) -> exp.Select:
        """Parse an expression up to stops, as the one-column SELECT that evaluates it."""
        tokens = self.until(*stops)
        if not tokens:
            raise self.unexpected()
        return exp.select(parse_expression(self.sql, tokens))

    def statement_tokens(self) -> list[Token]:
        """Return the tokens of a SQL statement, up to its semicolon outside brackets."""
        start, depth = self.index, 0
        while self.current is not None:
            kind = self.current.token_type
            if kind == TokenType.SEMICOLON and depth <= 0:
                break
            depth += (kind in OPENS) - (kind in CLOSES)
            self.index += 1
        return self.tokens[start : self.index]

    # Statements ----------------------------------------------------------------------------

    def statements(self) -> list[Node]:
        """Parse statements until the end of the script or a word that ends a statement list."""
        body: list[Node] = []
        while self.current is not None and self.word() not in ENDS:
            if self.current.token_type == TokenType.SEMICOLON:
                raise self.unexpected()
            body.append(self.statement())
        return body

    def statement(self) -> Node:
        first = self.current
        word = self.word()
        label = None
        if self.word(1) == ":" and self.word(2) in (*LOOPS, "BEGIN"):
            label = self.name()
            self.index += 1
            word = self.word()
        handler = getattr(self, f"parse_{word.lower()}", None)
        if word == "BEGIN" and self.word(1) == "TRANSACTION":
            handler = None
        if handler is None or (label and word not in (*LOOPS, "BEGIN")):
            return self.sql_statement(first)
        if word in (*LOOPS, "BEGIN"):
            return handler(first, label)
        return handler(first)

    def sql_statement(self, first: Token) -> Statement:
        tokens = self.statement_tokens()
        trees = parse_tokens(self.sql, tokens)
        if len(trees) != 1:
            raise self.unexpected()
        node = self.node(Statement, first, tree=trees[0])
        self.semicolon()
        return node

    def parse_declare(self, first: Token) -> Node:
        self.index += 1
        names = [self.name()]
        while self.word() == ",":
            self.index += 1
            names.append(self.name())
        kind = None
        type_tokens = self.until(("DEFAULT",))
        if type_tokens:
            text = self.sql[type_tokens[0].start : type_tokens[-1].end + 1]
            kind = params.declared_type(text, token_location(type_tokens[0]))
        default = None
        if self.word() == "DEFAULT":
            self.index += 1
            default = self.expression()
        if kind is None and default is None:
            raise self.unexpected("type or keyword DEFAULT")
        node = self.node(Declare, first, names=names, type=kind, default=default)
        self.semicolon()
        return node

    def parse_set(self, first: Token) -> Node:
        self.index += 1
        names: list[str] = []
        tuple_ = self.word() == "("
        if tuple_:
            self.index += 1
            names.append(self.variable_name())
            while self.word() == ",":
                self.index += 1
                names.append(self.variable_name())
            self.expect(")")
        else:
            names.append(self.variable_name())
        self.expect("=")
        value = self.expression()
        if tuple_ and isinstance(value.selects[0], exp.Tuple):
            # SET (a, b) = (1, 'x'): one column per value.
            value = exp.select(*value.selects[0].expressions)
        node = self.node(Assign, first, names=names, value=value, tuple=tuple_)
        self.semicolon()
        return node

    def variable_name(self) -> str:
        """Return a variable's name, or `@@name` for a system variable."""
        if self.word() == "@" and self.word(1) == "@":
            self.index += 2
            return "@@" + self.name()
        if self.word() == "@@":
            self.index += 1
            return "@@" + self.name()
        return self.name()

    def parse_if(self, first: Token) -> Node:
        branches = []
        self.index += 1
        while True:
            condition = self.expression(("THEN",))
            self.expect("THEN")
            branches.append((condition, self.statements()))
            if self.word() != "ELSEIF":
                break
            self.index += 1
        otherwise = None
        if self.word() == "ELSE":
            self.index += 1
            otherwise = self.statements()
        self.expect("END", "IF")
        node = self.node(If, first, branches=branches, otherwise=otherwise)
        self.semicolon()
        return node

    def loop_end(self, kind: str, label: str | None) -> None:
        self.expect("END", kind)
        self.end_label(label)

    def end_label(self, label: str | None) -> None:
        """Read the label an END may repeat; it must be the statement's own."""
        if label is None or self.current is None or self.word() == ";":
            return
        if self.name().lower() != label.lower():
            self.index -= 1
            raise self.unexpected(f'label "{label}"')

    def parse_loop(self, first: Token, label: str | None) -> Node:
        self.index += 1
        body = self.statements()
        self.loop_end("LOOP", label)
        node = self.node(Loop, first, kind="LOOP", label=label, body=body)
        self.semicolon()
        return node

    def parse_while(self, first: Token, label: str | None) -> Node:
        self.index += 1
        condition = self.expression(("DO",))
        self.expect("DO")
        body = self.statements()
        self.loop_end("WHILE", label)
        node = self.node(Loop, first, kind="WHILE", label=label, body=body, condition=condition)
        self.semicolon()
        return node

    def parse_repeat(self, first: Token, label: str | None) -> Node:
        self.index += 1
        body = self.statements()
        self.expect("UNTIL")
        condition = self.expression(("END", "REPEAT"))
        self.loop_end("REPEAT", label)
        node = self.node(Loop, first, kind="REPEAT", label=label, body=body, condition=condition)
        self.semicolon()
        return node

    def parse_for(self, first: Token, label: str | None) -> Node:
        self.index += 1
        variable = self.name()
        self.expect("IN")
        if self.word() != "(":
            raise self.unexpected('"("')
        query_first = self.current
        self.index += 1
        tokens = self.until((")",))
        self.expect(")")
        trees = parse_tokens(self.sql, tokens) if tokens else []
        if len(trees) != 1:
            raise InvalidError(f"Syntax error: FOR … IN needs one query{token_location(first)}")
        query = self.node(Statement, query_first, tree=trees[0])
        self.expect("DO")
        body = self.statements()
        self.loop_end("FOR", label)
        node = self.node(
            Loop, first, kind="FOR", label=label, body=body, variable=variable, query=query
        )
        self.semicolon()
        return node

    def parse_begin(self, first: Token, label: str | None) -> Node:
        self.index += 1
        body = self.statements()
        handler = None
        if self.word() == "EXCEPTION":
            self.expect("EXCEPTION", "WHEN", "ERROR", "THEN")
            handler = self.statements()
        self.expect("END")
        self.end_label(label)
        node = self.node(Block, first, label=label, body=body, handler=handler)
        self.semicolon()
        return node

    def jump(self, first: Token, kind: str) -> Node:
        self.index += 1
        label = None
        if self.current is not None and self.current.token_type != TokenType.SEMICOLON:
            label = self.name()
        node = self.node(Jump, first, kind=kind, label=label)
        self.semicolon()
        return node

    def parse_break(self, first: Token) -> Node:
        return self.jump(first, "BREAK")

    def parse_leave(self, first: Token) -> Node:
        return self.jump(first, "BREAK")

    def parse_continue(self, first: Token) -> Node:
        return self.jump(first, "CONTINUE")

    def parse_iterate(self, first: Token) -> Node:
        return self.jump(first, "CONTINUE")

    def parse_raise(self, first: Token) -> Node:
        self.index += 1
        message = None
        if self.word() == "USING":
            self.expect("USING", "MESSAGE", "=")
            message = self.expression()
        node = self.node(Raise, first, message=message)
        self.semicolon()
        return node

    def parse_return(self, first: Token) -> Node:
        self.index += 1
        node = self.node(Return, first)
        self.semicolon()
        return node


# Where each statement may stand -----------------------------------------------------------


def _check_placement(body: list[Node], labels: list[tuple[str | None, bool]]) -> None:
    """Refuse what BigQuery refuses before running: a DECLARE after another statement of its
    block, a jump outside a loop, a label no enclosing statement has."""
    declaring = True
    for node in body:
        if isinstance(node, Declare):
            if not declaring:
                raise InvalidError(
                    "Variable declarations are allowed only at the start of a block or script"
                    f"{node.location}"
                )
            continue
        declaring = False
        if isinstance(node, Jump):
            _check_jump(node, labels)
        elif isinstance(node, If):
            for _, branch in node.branches:
                _check_nested(branch, labels)
            _check_nested(node.otherwise or [], labels)
        elif isinstance(node, Loop):
            _check_nested(node.body, [*labels, (node.label, True)])
        elif isinstance(node, Block):
            _check_placement(node.body, [*labels, (node.label, False)])
            _check_nested(node.handler or [], [*labels, (node.label, False)])


def _check_nested(body: list[Node], labels: list[tuple[str | None, bool]]) -> None:
    """Check a statement list that is not a block: it may declare nothing."""
    for node in body:
        if isinstance(node, Declare):
            raise InvalidError(
                "Variable declarations are allowed only at the start of a block or script"
                f"{node.location}"
            )
    _check_placement(body, labels)


def _check_jump(node: Jump, labels: list[tuple[str | None, bool]]) -> None:
    if node.label is None:
        if not any(is_loop for _, is_loop in labels):
            word = node.text.split()[0].upper()
            raise InvalidError(f"{word} is only allowed inside a loop{node.location}")
        return
    for label, is_loop in reversed(labels):
        if label is not None and label.lower() == node.label.lower():
            if node.kind == "CONTINUE" and not is_loop:
                raise InvalidError(
                    f"CONTINUE cannot name label {node.label}, which is not a loop's{node.location}"
                )
            return
    raise InvalidError(f"Label {node.label} not found{node.location}")
