-- A data migration on plain columns, run through Veil as it always ran.
CREATE TABLE fw_wards (code text PRIMARY KEY, name text NOT NULL);
INSERT INTO fw_wards (code, name) VALUES ('A', 'Cardiology'), ('B', 'Oncology');
ALTER TABLE fw_patients ADD COLUMN admitted date;
UPDATE fw_patients SET ward = 'A' WHERE ward IS NULL;
