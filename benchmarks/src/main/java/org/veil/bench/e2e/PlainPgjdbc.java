package org.veil.bench.e2e;

import java.sql.Connection;
import java.sql.SQLException;

/** The baseline every ratio is taken against: pgjdbc, verify-full TLS 1.3, nothing encrypted. */
public final class PlainPgjdbc implements Contender {

  /** The id the report's ratios are taken against. */
  public static final String ID = "plain";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String description() {
    return "plain pgjdbc, sslmode=verify-full over TLS 1.3, both columns stored as text in the clear";
  }

  @Override
  public Connection connect(Target target) throws SQLException {
    return target.server().plainConnection();
  }

  @Override
  public String protectedColumnType(ProtectedColumn column) {
    return "text";
  }

  @Override
  public boolean canLookUpByEquality() {
    return true;
  }

  @Override
  public boolean storesCiphertext() {
    return false;
  }
}
