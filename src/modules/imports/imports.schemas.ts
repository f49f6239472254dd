import { Type } from 'typebox';
import type { Static } from 'typebox';
import { DateTime, Nullable, Page, PageQuery, StrictObject, Uuid } from '../../platform/http/schemas.js';
import { AssetClass, DecimalOut, ExecutionSide, OptionRight } from '../executions/executions.schemas.js';
import { BROKERS } from './parsing/registry.js';

export const ImportStatus = Type.Union([Type.Literal('queued'), Type.Literal('parsing'), Type.Literal('writing'), Type.Literal('done'), Type.Literal('failed')], {
  description: 'queued → parsing → writing → done, or failed at any step',
});

const brokerIds = BROKERS.map((b) => b.id);

/**
 * The text fields of the multipart form (besides the `file` part). Checked by the service with
 * this schema; shown in OpenAPI as the multipart body.
 */
export const ImportForm = StrictObject({
  accountId: Type.Optional(Type.String({ format: 'uuid', description: 'Where rows without an account of their own go; required unless every row names its account' })),
  broker: Type.Optional(Type.Union([Type.Literal('auto'), ...brokerIds.map((id) => Type.Literal(id))], { default: 'auto', description: 'A format id from GET /imports/formats, or auto to detect it' })),
  timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "IANA zone the file's local times are in; default the account's, else yours" })),
  onInvalid: Type.Optional(Type.Union([Type.Literal('reject'), Type.Literal('skip')], { default: 'reject', description: 'reject: any invalid row fails the import; skip: valid rows land, invalid ones are reported' })),
});
export type ImportFormInput = Static<typeof ImportForm>;

/** What OpenAPI shows as the request body of the upload routes (validation is done on the parts as they stream). */
export const ImportUploadBody = Type.Object(
  {
    file: Type.String({ format: 'binary', description: `The CSV file, at most the configured size (IMPORT_MAX_FILE_BYTES)` }),
    ...ImportForm.properties,
  },
  { required: ['file'], additionalProperties: false },
);

export const RowErrorSchema = Type.Object(
  {
    line: Type.Integer({ description: '1-based line of the file' }),
    column: Nullable(Type.String({ description: 'The column as the file names it; null when the row as a whole is wrong' })),
    value: Nullable(Type.String()),
    reason: Type.String(),
  },
  { additionalProperties: false },
);

const Failure = Type.Object(
  { code: Type.String(), message: Type.String(), details: Type.Record(Type.String(), Type.Unknown()) },
  { additionalProperties: false, description: 'Why the import failed' },
);

const importSummaryProperties = {
  id: Uuid,
  status: ImportStatus,
  accountId: Nullable(Uuid),
  brokerRequested: Type.String(),
  broker: Nullable(Type.String({ description: 'The format that read the file' })),
  timezone: Type.String(),
  onInvalid: Type.Union([Type.Literal('reject'), Type.Literal('skip')]),
  fileName: Nullable(Type.String()),
  progress: Type.Object(
    {
      rowsRead: Type.Integer(),
      bytesRead: Type.Integer(),
      totalBytes: Type.Integer(),
    },
    { additionalProperties: false },
  ),
  counts: Type.Object(
    {
      rows: Type.Integer({ description: 'CSV rows read' }),
      executions: Type.Integer({ description: 'Valid executions parsed' }),
      executionsAdded: Type.Integer(),
      duplicatesSkipped: Type.Integer({ description: 'Executions the account already had (same broker execution id or content)' }),
      invalidRows: Type.Integer(),
      ignoredRows: Type.Integer({ description: 'Rows that are not executions: headers, blank lines, cancelled orders, other sections' }),
      accountsCreated: Type.Integer(),
    },
    { additionalProperties: false },
  ),
  failure: Nullable(Failure),
  createdAt: DateTime,
  startedAt: Nullable(DateTime),
  finishedAt: Nullable(DateTime),
  durationMs: Nullable(Type.Integer({ description: 'From the start of processing to done/failed (so far, while running)' })),
};

export const ImportSummary = Type.Object(importSummaryProperties, { additionalProperties: false });
export type ImportSummaryView = Static<typeof ImportSummary>;

export const ImportDetail = Type.Object(
  { ...importSummaryProperties, errors: Type.Array(RowErrorSchema, { description: 'The first 100 row errors' }) },
  { additionalProperties: false },
);
export type ImportDetailView = Static<typeof ImportDetail>;

export const ImportAccepted = Type.Object({ id: Uuid, status: ImportStatus }, { additionalProperties: false });
export type ImportAcceptedView = Static<typeof ImportAccepted>;

export const ImportListQuery = StrictObject({ ...PageQuery });
export type ImportListInput = Static<typeof ImportListQuery>;
export const ImportPage = Page(ImportSummary);

export const PreviewExecution = Type.Object(
  {
    line: Type.Integer(),
    accountRef: Nullable(Type.String()),
    executedAt: DateTime,
    symbol: Type.String(),
    instrumentKey: Type.String(),
    assetClass: AssetClass,
    side: ExecutionSide,
    quantity: DecimalOut(),
    price: DecimalOut(),
    commission: DecimalOut(),
    fees: DecimalOut(),
    multiplier: DecimalOut(),
    currency: Nullable(Type.String()),
    brokerExecId: Nullable(Type.String()),
    underlying: Nullable(Type.String()),
    expiry: Nullable(Type.String({ format: 'date' })),
    strike: Nullable(DecimalOut()),
    optionRight: Nullable(OptionRight),
  },
  { additionalProperties: false },
);
export type PreviewExecutionView = Static<typeof PreviewExecution>;

const FormatInfo = Type.Object(
  { id: Type.String(), name: Type.String(), description: Type.String(), expectedColumns: Type.Array(Type.String()) },
  { additionalProperties: false },
);

export const ImportPreview = Type.Object(
  {
    format: Type.Object({ id: Type.String(), name: Type.String(), detected: Type.Boolean({ description: 'false when the form named the broker' }) }, { additionalProperties: false }),
    timezone: Type.String(),
    executions: Type.Array(PreviewExecution, { description: 'The first 20 executions' }),
    errors: Type.Array(RowErrorSchema, { description: 'Row errors among the rows read for the preview' }),
    linesRead: Type.Integer({ description: 'The last line of the file the preview looked at' }),
    complete: Type.Boolean({ description: 'true when the preview read the whole file' }),
  },
  { additionalProperties: false },
);
export type ImportPreviewView = Static<typeof ImportPreview>;

export const ImportFormats = Type.Object({ data: Type.Array(FormatInfo) }, { additionalProperties: false });
export type ImportFormatsView = Static<typeof ImportFormats>;
