CREATE TABLE fw_contacts (id bigserial PRIMARY KEY, name text NOT NULL, phone text);
