-- An application's first migration, unchanged by the switch to Veil: the encrypted columns are
-- already of types Veil can store cells in (bytea, or text for text cells).
CREATE TABLE fw_patients (
  id          bigserial PRIMARY KEY,
  national_id text NOT NULL,
  full_name   bytea NOT NULL,
  notes       text,
  ward        text
);
CREATE UNIQUE INDEX fw_patients_national_id ON fw_patients (national_id);
