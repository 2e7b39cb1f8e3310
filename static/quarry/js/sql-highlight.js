/* Quarry's SQL highlighter: a tokenizer for GoogleSQL that returns escaped HTML spans.
   Written for Quarry (no third-party code); no build step, no dependencies. */

const KEYWORDS = new Set((
  "ALL AND ANY ARRAY AS ASC ASSERT_ROWS_MODIFIED AT BETWEEN BY CASE CAST COLLATE CONTAINS CREATE " +
  "CROSS CUBE CURRENT DEFAULT DEFINE DESC DISTINCT DROP ELSE END ENUM ESCAPE EXCEPT EXCLUDE EXISTS " +
  "EXTRACT FALSE FETCH FOLLOWING FOR FROM FULL GROUP GROUPING GROUPS HASH HAVING IF IGNORE IN INNER " +
  "INSERT INTERSECT INTERVAL INTO IS JOIN LATERAL LEFT LIKE LIMIT LOOKUP MERGE MODEL NATURAL NEW NO " +
  "NOT NULL NULLS OF OFFSET ON OPTIONS OR ORDER OUTER OVER PARTITION PRECEDING PROTO QUALIFY RANGE " +
  "RECURSIVE REPLACE RESPECT RIGHT ROLLUP ROWS SCHEMA SELECT SET SOME STRUCT TABLE TABLESAMPLE THEN " +
  "TO TREAT TRUE UNBOUNDED UNION UNNEST UPDATE USING VALUES VIEW WHEN WHERE WINDOW WITH WITHIN DELETE " +
  "TEMP TEMPORARY TRUNCATE ALTER ADD COLUMN DATASET DECLARE BEGIN COMMIT ROLLBACK TRANSACTION RETURNS"
).split(" "));
const TYPES = new Set((
  "INT64 INTEGER INT SMALLINT BIGINT TINYINT BYTEINT FLOAT64 FLOAT NUMERIC BIGNUMERIC DECIMAL " +
  "BIGDECIMAL BOOL BOOLEAN STRING BYTES DATE DATETIME TIME TIMESTAMP GEOGRAPHY JSON RECORD"
).split(" "));
// One alternation, tried in order at each position: comments, strings, quoted names, numbers,
// words, then any other single character.
const TOKEN = new RegExp([
  "(--[^\\n]*|#[^\\n]*|/\\*[\\s\\S]*?(?:\\*/|$))",
  "((?:[rRbB]{1,2})?(?:'''[\\s\\S]*?(?:'''|$)|\"\"\"[\\s\\S]*?(?:\"\"\"|$)|'(?:\\\\.|[^'\\\\\\n])*'?|\"(?:\\\\.|[^\"\\\\\\n])*\"?))",
  "(`[^`\\n]*`?)",
  "(\\b\\d+(?:\\.\\d*)?(?:[eE][+-]?\\d+)?\\b|\\.\\d+\\b)",
  "([A-Za-z_][A-Za-z0-9_]*)",
  "([\\s\\S])",
].join("|"), "g");
const CLASSES = ["comment", "string", "ident", "number"];

function escape(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function span(cls, text) {
  return '<span class="tok-' + cls + '">' + escape(text) + "</span>";
}

export function highlight(sql) {
  let html = "";
  let match;
  TOKEN.lastIndex = 0;
  while ((match = TOKEN.exec(sql)) !== null) {
    const text = match[0];
    let done = false;
    for (let i = 0; i < CLASSES.length; i += 1) {
      if (match[i + 1] !== undefined) { html += span(CLASSES[i], text); done = true; break; }
    }
    if (done) continue;
    if (match[5] !== undefined) {
      const upper = text.toUpperCase();
      const rest = sql.slice(TOKEN.lastIndex);
      if (KEYWORDS.has(upper)) html += span("keyword", text);
      else if (TYPES.has(upper)) html += span("type", text);
      else if (/^\s*\(/.test(rest) || (upper === "ML" && rest[0] === ".")) html += span("function", text);
      else html += escape(text);
    } else {
      html += escape(text);
    }
  }
  // A trailing newline needs a character after it, or the overlay would be a line short.
  return html + "\n";
}
