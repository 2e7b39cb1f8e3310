"""Request bodies checked against the fields BigQuery's resources have, with BigQuery's messages.

Only names are checked against the full resource (clients send many fields Quarry ignores, such as
bq's `"projectionFields": []`); a name no resource has is refused, and so is a value of the wrong
JSON type. int64 values arrive as JSON numbers from bq and as strings from the Python client.
"""

from __future__ import annotations

import re
from typing import Any

from console.errors import BigQueryError

STR, INT, BOOL, FLOAT, OBJ, LIST, ANY = "string", "int64", "bool", "double", "map", "list", "any"
TYPE_NAMES = {STR: "TYPE_STRING", INT: "TYPE_INT64", BOOL: "TYPE_BOOL", FLOAT: "TYPE_DOUBLE"}

DATASET_REF = {"projectId": STR, "datasetId": STR}
TABLE_REF = {"projectId": STR, "datasetId": STR, "tableId": STR}
MODEL_REF = {"projectId": STR, "datasetId": STR, "modelId": STR}
ROUTINE_REF = {"projectId": STR, "datasetId": STR, "routineId": STR}
JOB_REF = {"projectId": STR, "jobId": STR, "location": STR}

FIELD: dict[str, Any] = {
    "name": STR,
    "type": STR,
    "mode": STR,
    "description": STR,
    "policyTags": OBJ,
    "dataPolicies": LIST,
    "maxLength": INT,
    "precision": INT,
    "scale": INT,
    "collation": STR,
    "defaultValueExpression": STR,
    "roundingMode": STR,
    "rangeElementType": OBJ,
    "foreignTypeDefinition": STR,
    "timestampPrecision": INT,
}
FIELD["fields"] = [FIELD]
SCHEMA = {"fields": [FIELD], "foreignTypeInfo": OBJ}

_COMMON = {"kind": STR, "etag": STR, "id": STR, "selfLink": STR}

DATASET = {
    **_COMMON,
    "datasetReference": DATASET_REF,
    "friendlyName": STR,
    "description": STR,
    "defaultTableExpirationMs": INT,
    "defaultPartitionExpirationMs": INT,
    "labels": OBJ,
    "access": LIST,
    "creationTime": INT,
    "lastModifiedTime": INT,
    "location": STR,
    "defaultEncryptionConfiguration": OBJ,
    "satisfiesPzs": BOOL,
    "satisfiesPzi": BOOL,
    "type": STR,
    "isCaseInsensitive": BOOL,
    "defaultCollation": STR,
    "defaultRoundingMode": STR,
    "maxTimeTravelHours": INT,
    "tags": LIST,
    "storageBillingModel": STR,
    "resourceTags": OBJ,
    "externalDatasetReference": OBJ,
    "linkedDatasetSource": OBJ,
    "restrictions": OBJ,
    "externalCatalogDatasetOptions": OBJ,
}

TABLE = {
    **_COMMON,
    "tableReference": TABLE_REF,
    "friendlyName": STR,
    "description": STR,
    "labels": OBJ,
    "schema": SCHEMA,
    "timePartitioning": OBJ,
    "rangePartitioning": OBJ,
    "clustering": OBJ,
    "requirePartitionFilter": BOOL,
    "numBytes": INT,
    "numLongTermBytes": INT,
    "numRows": INT,
    "creationTime": INT,
    "expirationTime": INT,
    "lastModifiedTime": INT,
    "type": STR,
    "view": OBJ,
    "materializedView": OBJ,
    "externalDataConfiguration": OBJ,
    "location": STR,
    "encryptionConfiguration": OBJ,
    "defaultCollation": STR,
    "defaultRoundingMode": STR,
    "tableConstraints": OBJ,
    "resourceTags": OBJ,
    "maxStaleness": STR,
    "biglakeConfiguration": OBJ,
    "tableReplicationInfo": OBJ,
    "snapshotDefinition": OBJ,
    "cloneDefinition": OBJ,
    "streamingBuffer": OBJ,
}

QUERY_CONFIG = {
    "query": STR,
    "destinationTable": TABLE_REF,
    "tableDefinitions": OBJ,
    "userDefinedFunctionResources": LIST,
    "createDisposition": STR,
    "writeDisposition": STR,
    "defaultDataset": DATASET_REF,
    "priority": STR,
    "preserveNulls": BOOL,
    "allowLargeResults": BOOL,
    "useQueryCache": BOOL,
    "flattenResults": BOOL,
    "maximumBillingTier": INT,
    "maximumBytesBilled": INT,
    "useLegacySql": BOOL,
    "parameterMode": STR,
    "queryParameters": LIST,
    "systemVariables": OBJ,
    "schemaUpdateOptions": LIST,
    "timePartitioning": OBJ,
    "rangePartitioning": OBJ,
    "clustering": OBJ,
    "destinationEncryptionConfiguration": OBJ,
    "scriptOptions": OBJ,
    "connectionProperties": LIST,
    "createSession": BOOL,
    "continuous": BOOL,
    "writeIncrementalResults": BOOL,
}

LOAD_CONFIG = {
    "sourceUris": LIST,
    "fileSetSpecType": STR,
    "schema": SCHEMA,
    "destinationTable": TABLE_REF,
    "destinationTableProperties": OBJ,
    "createDisposition": STR,
    "writeDisposition": STR,
    "nullMarker": STR,
    "nullMarkers": LIST,
    "fieldDelimiter": STR,
    "skipLeadingRows": INT,
    "encoding": STR,
    "quote": STR,
    "maxBadRecords": INT,
    "schemaInlineFormat": STR,
    "schemaInline": STR,
    "allowQuotedNewlines": BOOL,
    "sourceFormat": STR,
    "allowJaggedRows": BOOL,
    "ignoreUnknownValues": BOOL,
    "projectionFields": LIST,
    "autodetect": BOOL,
    "schemaUpdateOptions": LIST,
    "timePartitioning": OBJ,
    "rangePartitioning": OBJ,
    "clustering": OBJ,
    "destinationEncryptionConfiguration": OBJ,
    "useAvroLogicalTypes": BOOL,
    "referenceFileSchemaUri": STR,
    "hivePartitioningOptions": OBJ,
    "decimalTargetTypes": LIST,
    "jsonExtension": STR,
    "parquetOptions": OBJ,
    "preserveAsciiControlCharacters": BOOL,
    "connectionProperties": LIST,
    "createSession": BOOL,
    "columnNameCharacterMap": STR,
    "copyFilesOnly": BOOL,
    "timeZone": STR,
    "dateFormat": STR,
    "datetimeFormat": STR,
    "timeFormat": STR,
    "timestampFormat": STR,
    "sourceColumnMatch": STR,
}

COPY_CONFIG = {
    "sourceTable": TABLE_REF,
    "sourceTables": [TABLE_REF],
    "destinationTable": TABLE_REF,
    "createDisposition": STR,
    "writeDisposition": STR,
    "destinationEncryptionConfiguration": OBJ,
    "operationType": STR,
    "destinationExpirationTime": STR,
}

JOB = {
    **_COMMON,
    "user_email": STR,
    "principal_subject": STR,
    "jobReference": JOB_REF,
    "configuration": {
        "jobType": STR,
        "query": QUERY_CONFIG,
        "load": LOAD_CONFIG,
        "copy": COPY_CONFIG,
        "extract": OBJ,
        "dryRun": BOOL,
        "jobTimeoutMs": INT,
        "labels": OBJ,
        "reservation": STR,
        "maxSlots": INT,
    },
    "status": OBJ,
    "statistics": OBJ,
    "jobCreationReason": OBJ,
}

INSERT_ALL_REQUEST = {
    "kind": STR,
    "skipInvalidRows": BOOL,
    "ignoreUnknownValues": BOOL,
    "templateSuffix": STR,
    "traceId": STR,
    "rows": [{"insertId": STR, "json": OBJ}],
}

QUERY_REQUEST = {
    "kind": STR,
    "query": STR,
    "maxResults": INT,
    "defaultDataset": DATASET_REF,
    "timeoutMs": INT,
    "jobTimeoutMs": INT,
    "dryRun": BOOL,
    "preserveNulls": BOOL,
    "useQueryCache": BOOL,
    "useLegacySql": BOOL,
    "parameterMode": STR,
    "queryParameters": LIST,
    "location": STR,
    "formatOptions": {"useInt64Timestamp": BOOL, "timestampOutputFormat": STR},
    "connectionProperties": LIST,
    "labels": OBJ,
    "maximumBytesBilled": INT,
    "requestId": STR,
    "createSession": BOOL,
    "writeIncrementalResults": BOOL,
    "reservation": STR,
    "maxSlots": INT,
    "queryResultsFormat": STR,
    "arrowSerializationOptions": OBJ,
    "jobCreationMode": STR,
    "continuous": BOOL,
    "destinationEncryptionConfiguration": OBJ,
}

MODEL = {
    "etag": STR,
    "modelReference": MODEL_REF,
    "creationTime": INT,
    "lastModifiedTime": INT,
    "description": STR,
    "friendlyName": STR,
    "labels": OBJ,
    "expirationTime": INT,
    "location": STR,
    "encryptionConfiguration": OBJ,
    "modelType": STR,
    "trainingRuns": LIST,
    "featureColumns": LIST,
    "labelColumns": LIST,
    "transformColumns": LIST,
    "hparamSearchSpaces": OBJ,
    "defaultTrialId": INT,
    "hparamTrials": LIST,
    "optimalTrialIds": LIST,
    "remoteModelInfo": OBJ,
    "bestTrialId": INT,
}

ROUTINE = {
    "etag": STR,
    "routineReference": ROUTINE_REF,
    "routineType": STR,
    "creationTime": INT,
    "lastModifiedTime": INT,
    "language": STR,
    "arguments": [
        {"name": STR, "argumentKind": STR, "mode": STR, "dataType": OBJ, "isAggregate": BOOL}
    ],
    "returnType": OBJ,
    "returnTableType": OBJ,
    "importedLibraries": LIST,
    "definitionBody": STR,
    "description": STR,
    "determinismLevel": STR,
    "securityMode": STR,
    "strictMode": BOOL,
    "remoteFunctionOptions": OBJ,
    "sparkOptions": OBJ,
    "dataGovernanceType": STR,
    "pythonOptions": OBJ,
    "externalRuntimeOptions": OBJ,
    "buildStatus": OBJ,
}

_INT_RE = re.compile(r"^-?\d+$")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def check(value: Any, spec: Any, where: str) -> None:
    """Raise BigQueryError unless value has only the names spec knows, each of the right type."""
    if value is None or spec == ANY:
        return
    if isinstance(spec, list):
        if not isinstance(value, list):
            raise _wrong_type(where, value, "TYPE_MESSAGE")
        for index, item in enumerate(value):
            check(item, spec[0], f"{where}[{index}]")
        return
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            raise _wrong_type(where, value, "TYPE_MESSAGE")
        for name, item in value.items():
            if name not in spec:
                raise BigQueryError(
                    f"Invalid JSON payload received. Unknown name \"{name}\" at '{where}': "
                    "Cannot find field."
                )
            check(item, spec[name], f"{where}.{_snake(name)}")
        return
    if not _has_type(value, spec):
        raise _wrong_type(where, value, TYPE_NAMES.get(spec, "TYPE_MESSAGE"))


def _has_type(value: Any, spec: str) -> bool:
    if spec == STR:
        return isinstance(value, str)
    if spec == INT:
        if isinstance(value, bool):
            return False
        return isinstance(value, int) or (isinstance(value, str) and bool(_INT_RE.match(value)))
    if spec == BOOL:
        return isinstance(value, bool)
    if spec == FLOAT:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if spec == OBJ:
        return isinstance(value, dict)
    if spec == LIST:
        return isinstance(value, list)
    return True


def _wrong_type(where: str, value: Any, type_name: str) -> BigQueryError:
    shown = value if isinstance(value, str) else repr(value)
    return BigQueryError(f"Invalid value at '{where}' ({type_name}), \"{shown}\"")


def as_int(value: Any, default: int | None = None) -> int | None:
    """Return an int64 field's value (a number or a numeric string), or default if absent."""
    if value is None:
        return default
    return int(value)
