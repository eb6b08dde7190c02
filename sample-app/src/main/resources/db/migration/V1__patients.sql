-- The registry's schema, as it was before Veil. The columns Veil encrypts are text (text cells,
-- 'veil:' + base64) or bytea (binary cells): no migration was needed to adopt it.
CREATE TABLE patients (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  national_id text NOT NULL UNIQUE,
  full_name   text NOT NULL,
  birth_date  bytea NOT NULL,
  diagnosis   bytea,
  ward        text NOT NULL
);
