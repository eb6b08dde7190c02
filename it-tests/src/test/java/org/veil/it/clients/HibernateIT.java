package org.veil.it.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.hibernate.SessionFactory;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.veil.it.clients.orm.Patient;
import org.veil.it.clients.orm.unmapped.PatientWithoutColumnDefinition;
import org.veil.testing.PostgresServer;
import org.veil.testing.TestPostgres;

/**
 * Hibernate ORM 7 with a JPA entity whose fields carry {@code @Encrypted}: the schema validates,
 * and persist, merge, find, JPQL by the deterministic field and batched inserts work, while the
 * database holds only cells. Veil's settings travel as {@code hibernate.connection.veil.*}.
 */
class HibernateIT {

  private static final int BATCH = 20;

  private static PostgresServer server;
  private static EntityManagerFactory emf;

  @BeforeAll
  static void createSchemaAndValidate() throws Exception {
    server = TestPostgres.shared();
    Path keyFile = ClientSetup.newMasterKeyFile();
    // The application's own DDL; Hibernate only validates it.
    ClientSetup.execPlain(server, "DROP TABLE IF EXISTS orm_patients",
        "DROP SEQUENCE IF EXISTS orm_patients_seq",
        "CREATE SEQUENCE orm_patients_seq INCREMENT BY 50",
        "CREATE TABLE orm_patients (id bigint PRIMARY KEY, national_id text NOT NULL,"
            + " full_name bytea NOT NULL, birth_date bytea, diagnosis text, ward varchar(20))");
    HibernatePersistenceConfiguration config = new HibernatePersistenceConfiguration("orm")
        .managedClass(Patient.class)
        .jdbcUrl(ClientSetup.veilUrl(server))
        .jdbcCredentials(server.user(), server.password())
        .property("hibernate.hbm2ddl.auto", "validate")
        .property("hibernate.jdbc.batch_size", String.valueOf(BATCH))
        .property("hibernate.order_inserts", "true")
        .property("hibernate.generate_statistics", "true")
        .property("hibernate.connection.veil.scanPackages", Patient.class.getPackageName());
    ClientSetup.keySettings(keyFile, "clients-hibernate")
        .forEach((k, v) -> config.property("hibernate.connection." + k, v));
    emf = config.createEntityManagerFactory();
  }

  @AfterAll
  static void close() {
    if (emf != null) {
      emf.close();
    }
  }

  private static void inTransaction(Consumer<EntityManager> work) {
    EntityManager em = emf.createEntityManager();
    try {
      em.getTransaction().begin();
      work.accept(em);
      em.getTransaction().commit();
    } finally {
      if (em.getTransaction().isActive()) {
        em.getTransaction().rollback();
      }
      em.close();
    }
  }

  @Test
  void persistFindMergeAndQueryByTheDeterministicField() throws Exception {
    Patient grace = new Patient("ORM-1", "Grace Hopper", LocalDate.of(1906, 12, 9),
        "hypertension", "A");
    inTransaction(em -> em.persist(grace));

    EntityManager em = emf.createEntityManager();
    Patient found = em.find(Patient.class, grace.getId());
    assertThat(found.getFullName()).isEqualTo("Grace Hopper");
    assertThat(found.getBirthDate()).isEqualTo(LocalDate.of(1906, 12, 9));
    assertThat(found.getDiagnosis()).isEqualTo("hypertension");
    em.close();

    found.setDiagnosis("hypertension, controlled");
    found.setWard("B");
    inTransaction(em2 -> em2.merge(found));

    EntityManager query = emf.createEntityManager();
    List<Patient> byNationalId = query.createQuery(
            "select p from Patient p where p.nationalId = :nid", Patient.class)
        .setParameter("nid", "ORM-1").getResultList();
    assertThat(byNationalId).singleElement().satisfies(p -> {
      assertThat(p.getFullName()).isEqualTo("Grace Hopper");
      assertThat(p.getDiagnosis()).isEqualTo("hypertension, controlled");
      assertThat(p.getWard()).isEqualTo("B");
    });
    assertThat(query.createQuery("select p.fullName from Patient p where p.nationalId in"
            + " (:ids)", String.class).setParameter("ids", List.of("ORM-1", "nobody"))
        .getResultList()).containsExactly("Grace Hopper");
    query.close();

    List<String> plaintexts = List.of("ORM-1", "Grace Hopper", "hypertension");
    ClientSetup.assertCiphertextOnly(server, "orm_patients", "national_id", plaintexts);
    ClientSetup.assertCiphertextOnly(server, "orm_patients", "full_name", plaintexts);
    ClientSetup.assertCiphertextOnly(server, "orm_patients", "birth_date", plaintexts);
    ClientSetup.assertCiphertextOnly(server, "orm_patients", "diagnosis", plaintexts);
  }

  @Test
  void validationNeedsTheColumnDefinitionOfAFieldStoredInBytea() {
    HibernatePersistenceConfiguration config = new HibernatePersistenceConfiguration("unmapped")
        .managedClass(PatientWithoutColumnDefinition.class)
        .jdbcUrl(ClientSetup.veilUrl(server))
        .jdbcCredentials(server.user(), server.password())
        .property("hibernate.hbm2ddl.auto", "validate");
    assertThatThrownBy(() -> config.createEntityManagerFactory().close())
        .rootCause().hasMessageContaining("wrong column type encountered in column [birth_date]")
        .hasMessageContaining("found [bytea");
  }

  @Test
  void batchedInsertsSealEveryRow() throws Exception {
    Statistics stats = emf.unwrap(SessionFactory.class).getStatistics();
    stats.clear();
    List<Patient> patients = new ArrayList<>();
    for (int i = 0; i < 3 * BATCH; i++) {
      patients.add(new Patient("BATCH-" + i, "Batch Patient " + i,
          LocalDate.of(1980, 1, 1).plusDays(i), "checkup " + i, "C"));
    }
    inTransaction(em -> patients.forEach(em::persist));
    // Batching: one prepared INSERT per batch of 20 (plus the sequence call), not one per row.
    assertThat(stats.getPrepareStatementCount()).isLessThan(3 * BATCH / 2);

    EntityManager em = emf.createEntityManager();
    for (int i : new int[] {0, BATCH, 3 * BATCH - 1}) {
      Patient p = em.createQuery("select p from Patient p where p.nationalId = ?1", Patient.class)
          .setParameter(1, "BATCH-" + i).getSingleResult();
      assertThat(p.getFullName()).isEqualTo("Batch Patient " + i);
      assertThat(p.getBirthDate()).isEqualTo(LocalDate.of(1980, 1, 1).plusDays(i));
      assertThat(p.getDiagnosis()).isEqualTo("checkup " + i);
    }
    em.close();
    ClientSetup.assertCiphertextOnly(server, "orm_patients", "full_name",
        List.of("Batch Patient"));
    ClientSetup.assertCiphertextOnly(server, "orm_patients", "diagnosis", List.of("checkup"));
  }
}
