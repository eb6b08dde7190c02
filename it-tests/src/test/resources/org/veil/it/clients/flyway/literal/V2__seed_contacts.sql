-- Seeding an encrypted column with a literal: Veil refuses it, since the value would reach
-- the server (and its logs) in plaintext. Seed through the application instead.
INSERT INTO fw_contacts (name, phone) VALUES ('Front desk', '+44 20 7946 0000');
