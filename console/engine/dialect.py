"""BigQuery's dialect as sqlglot parses it, extended with BigQuery ML's table functions.

sqlglot already parses `CREATE MODEL ... OPTIONS(...) AS query`; it lacks the MF table functions, so
the parser's FUNCTION_PARSERS table is extended (not copied) with one entry per function.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp, parser, tokens
from sqlglot.dialects.bigquery import BigQuery


class MLFunction(exp.Expression, exp.Func):
    """`ML.<NAME>(MODEL m [, TABLE t | (query)] [, STRUCT(...)])`."""

    arg_types = {"this": True, "expression": False, "params_struct": False}
    ml_name = ""


class MLEvaluate(MLFunction):
    ml_name = "ML.EVALUATE"


class MLRecommend(MLFunction):
    ml_name = "ML.RECOMMEND"


class MLTrainingInfo(MLFunction):
    ml_name = "ML.TRAINING_INFO"


class MLWeights(MLFunction):
    ml_name = "ML.WEIGHTS"


class MLPredict(MLFunction):
    ml_name = "ML.PREDICT"


class MLGenerateEmbedding(MLFunction):
    ml_name = "ML.GENERATE_EMBEDDING"


class MLTrialInfo(MLFunction):
    ml_name = "ML.TRIAL_INFO"


ML_FUNCTIONS: dict[str, type[MLFunction]] = {
    "EVALUATE": MLEvaluate,
    "RECOMMEND": MLRecommend,
    "TRAINING_INFO": MLTrainingInfo,
    "WEIGHTS": MLWeights,
    "PREDICT": MLPredict,
    "GENERATE_EMBEDDING": MLGenerateEmbedding,
    "TRIAL_INFO": MLTrialInfo,
}


def _parse_ml_function(self: parser.Parser, kind: type[MLFunction]) -> MLFunction:
    if not self._match_text_seq("MODEL"):
        self.raise_error(f"{kind.ml_name} expects MODEL followed by a model name")
    model = self._parse_table_parts()
    relation: exp.Expression | None = None
    settings: exp.Expression | None = None
    while self._match(tokens.TokenType.COMMA):
        if self._match(tokens.TokenType.STRUCT, advance=False):
            settings = self._parse_bitwise()
        elif self._match(tokens.TokenType.TABLE):
            relation = self._parse_table_parts()
        elif self._match(tokens.TokenType.L_PAREN, advance=False):
            relation = self._parse_table()
        else:
            self.raise_error(f"{kind.ml_name} expects TABLE name, (query) or STRUCT(...)")
    return self.expression(kind(this=model, expression=relation, params_struct=settings))


def _ml_parser(kind: type[MLFunction]) -> Callable[[parser.Parser], MLFunction]:
    return lambda self: _parse_ml_function(self, kind)


def _located(
    parse: Callable[[parser.Parser], exp.Expression | None],
) -> Callable[[parser.Parser], exp.Expression | None]:
    """Wrap a placeholder parser so its node remembers where its token was.

    Query parameters are bound by position (`?` in text order) and named in messages with
    BigQuery's `[line:column]`; sqlglot records no position for these nodes by itself.
    """

    def parse_located(self: parser.Parser) -> exp.Expression | None:
        token = self._prev
        node = parse(self)
        if node is not None:
            node.meta.update(line=token.line, col=token.col, start=token.start, end=token.end)
        return node

    return parse_located


class AlterColumnOptions(exp.Expression):
    """`ALTER COLUMN [IF EXISTS] c SET OPTIONS(...)`, an action of ALTER TABLE."""

    arg_types = {"this": True, "properties": True, "exists": False}


def _parse_alter_column(self: parser.Parser) -> exp.Expression | None:
    """Parse BigQuery's `ALTER COLUMN c SET OPTIONS(...)`, else what sqlglot parses after ALTER."""
    start = self._index
    self._match(tokens.TokenType.COLUMN)
    exists = self._parse_exists()
    column = self._parse_field(any_token=True)
    if self._match_text_seq("SET", "OPTIONS", advance=False):
        self._advance()
        properties = self._parse_properties()
        return self.expression(
            AlterColumnOptions(this=column, properties=properties, exists=exists or None)
        )
    self._retreat(start)
    return BigQuery.Parser._parse_alter_table_alter(self)


def _parse_create(self: parser.Parser) -> exp.Expression | None:
    """Parse CREATE as BigQuery writes it, keeping two things sqlglot's parser loses.

    A SQL function's OPTIONS(...) may follow its body (`AS (x + 1) OPTIONS(description=...)`),
    which sqlglot reads as an unsupported command; and `CREATE TABLE FUNCTION` comes back as a
    plain FUNCTION, which would make a table function look like a scalar one.
    """
    ahead = [token.text.upper() for token in self._tokens[self._index : self._index + 5]]
    table_function = any(
        pair == ("TABLE", "FUNCTION") for pair in zip(ahead, ahead[1:], strict=False)
    )
    self._function_options = None
    create = BigQuery.Parser._parse_create(self)
    if not isinstance(create, exp.Create) or create.kind != "FUNCTION":
        return create
    if table_function:
        create.set("kind", "TABLE FUNCTION")
    if self._function_options is not None:
        properties = create.args.get("properties") or exp.Properties(expressions=[])
        for option in self._function_options:
            properties.append("expressions", option)
        create.set("properties", properties)
    return create


def _parse_function_body(self: parser.Parser) -> exp.Expression | None:
    # The body is one parenthesised expression; parsed as a statement, `(x) OPTIONS` would read
    # as `(x) AS OPTIONS`.
    if self._match(tokens.TokenType.L_PAREN, advance=False):
        body = self._parse_paren()
    else:
        body = BigQuery.Parser._parse_user_defined_function_expression(self)
    if self._match_text_seq("OPTIONS", advance=False):
        self._advance()
        self._function_options = self._parse_with_property()
    return body


# Words of BigQuery's procedural language that sqlglot tokenizes as opaque commands (swallowing
# the text after them); engine/procedural.py reads them as words instead.
PROCEDURAL_WORDS = ("BEGIN", "ELSEIF", "EXCEPTION", "LOOP", "REPEAT", "WHILE")


def _parse_cast(self: parser.Parser, strict: bool, safe: bool | None = None) -> exp.Expression:
    """Keep CAST(x AS type FORMAT '...') a cast of its own type with BigQuery's format model.

    sqlglot turns a cast to DATE, DATETIME, TIME or TIMESTAMP with a format into a parse of a
    strftime translation of the model, dropping the type (a TIME came back a TIMESTAMP) and the
    model's own rules (a missing year is the current year); engine/functions/datetimes follows
    the model.
    """
    start = self._index
    this = self._parse_assignment()
    if self._match(tokens.TokenType.ALIAS):
        to = self._parse_types(with_collation=True)
        if to is not None and self._match(tokens.TokenType.FORMAT):
            model = self._parse_at_time_zone(self._parse_string())
            return self.build_cast(strict=strict, this=this, to=to, format=model, safe=safe)
    self._retreat(start)
    return BigQuery.Parser._parse_cast(self, strict, safe)


class Quarry(BigQuery):
    def to_json_path(self, path: exp.Expression | None) -> exp.Expression | None:
        # A JSONPath stays the text it was written as: the engine reads it as BigQuery does
        # (sqlglot's reading took 'INVALID' for the key $.INVALID, where BigQuery refuses it).
        return path

    class Tokenizer(BigQuery.Tokenizer):
        # REGEXP is no operator in BigQuery (sqlglot reads it as RLIKE): it names columns.
        KEYWORDS = {
            **{k: v for k, v in BigQuery.Tokenizer.KEYWORDS.items() if k != "REGEXP"},
            **{word: tokens.TokenType.VAR for word in PROCEDURAL_WORDS},
        }

    class Parser(BigQuery.Parser):
        _parse_create = _parse_create
        _parse_cast = _parse_cast
        _parse_user_defined_function_expression = _parse_function_body
        FUNCTION_PARSERS = {
            **BigQuery.Parser.FUNCTION_PARSERS,
            **{name: _ml_parser(kind) for name, kind in ML_FUNCTIONS.items()},
        }
        PLACEHOLDER_PARSERS = {
            **BigQuery.Parser.PLACEHOLDER_PARSERS,
            tokens.TokenType.PLACEHOLDER: _located(
                BigQuery.Parser.PLACEHOLDER_PARSERS[tokens.TokenType.PLACEHOLDER]
            ),
            tokens.TokenType.PARAMETER: _located(
                BigQuery.Parser.PLACEHOLDER_PARSERS[tokens.TokenType.PARAMETER]
            ),
        }

        def _parse_ddl_select(self) -> exp.Expression | None:
            # A view keeps its query as its author wrote it (comments, layout), so the text it
            # was parsed from goes with the tree (meta["text"]).
            start = self._curr
            query = super()._parse_ddl_select()
            if query is not None and start is not None and self._prev is not None:
                query.meta["text"] = self.sql[start.start : self._prev.end + 1]
            return query

        # ALTER SCHEMA ... SET OPTIONS(...) is BigQuery's; sqlglot alters tables and views only.
        ALTERABLES = {*BigQuery.Parser.ALTERABLES, tokens.TokenType.SCHEMA}
        # BigQuery separates any ALTER TABLE actions by commas (ADD COLUMN a, DROP COLUMN b).
        ALTER_TABLE_MIXED_ACTIONS = True
        # SET is a table property only in Teradata (CREATE SET TABLE); in BigQuery, `, SET
        # OPTIONS(...)` after another ALTER TABLE action is an action of its own.
        PROPERTY_PARSERS = {k: v for k, v in BigQuery.Parser.PROPERTY_PARSERS.items() if k != "SET"}

        def _parse_alter_table_alter(self) -> exp.Expression | None:
            return _parse_alter_column(self)

        def _parse_json_object(self, agg: bool = False) -> exp.Expression:
            # BigQuery's JSON_OBJECT takes plain arguments: key, value, ... or two arrays.
            # sqlglot's reads KEY and VALUE as keywords (JSON_OBJECT(key, value) of columns so
            # named became an empty object) and zips two literal arrays (dropping the keys
            # left over, where BigQuery refuses arrays of different lengths).
            if agg:
                return super()._parse_json_object(agg)
            args = self._parse_csv(self._parse_assignment)
            pairs = [
                exp.JSONKeyValue(this=key, expression=value)
                for key, value in zip(args[0::2], args[1::2], strict=False)
            ]
            return self.expression(exp.JSONObject(expressions=args if len(args) % 2 else pairs))
