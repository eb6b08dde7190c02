package org.veil.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.veil.sql.WriteTargets.Target;

class WriteTargetsTest {

  @Test
  void insertUpdateAndMergeTargetsWithTheirSchemas() {
    assertThat(WriteTargets.of("INSERT INTO crm.Contacts (a) VALUES (?)"))
        .containsExactly(new Target("crm", "contacts"));
    assertThat(WriteTargets.of("UPDATE \"SdContacts\" SET a = ? WHERE id = ?"))
        .containsExactly(new Target(null, "SdContacts"));
    assertThat(WriteTargets.of("MERGE INTO contacts c USING staged s ON c.id = s.id"
        + " WHEN MATCHED THEN UPDATE SET a = s.a"))
        .containsExactly(new Target(null, "contacts"));
  }

  @Test
  void dataModifyingCtesAndSeveralStatementsCount() {
    assertThat(WriteTargets.of("WITH moved AS (INSERT INTO archive (a) SELECT a FROM live"
        + " RETURNING a) SELECT count(*) FROM moved"))
        .containsExactly(new Target(null, "archive"));
    assertThat(WriteTargets.of("UPDATE a SET x = 1; INSERT INTO b (y) VALUES (2)"))
        .containsExactly(new Target(null, "a"), new Target(null, "b"));
  }

  @Test
  void readsAndDeletesWriteNoRows() {
    assertThat(WriteTargets.of("SELECT * FROM contacts")).isEmpty();
    assertThat(WriteTargets.of("DELETE FROM contacts WHERE id = ?")).isEmpty();
    assertThat(WriteTargets.of("CREATE TABLE contacts (a text)")).isEmpty();
  }

  @Test
  void aWriteThatCannotBeParsedIsUnknownNotEmpty() {
    assertThat(WriteTargets.of("INSERT INTO contacts VALUES (((")).isNull();
  }
}
