package org.veil.jdbc;

import java.sql.CallableStatement;
import org.veil.sql.StatementPlan;

/** A callable statement seen through Veil: its parameters and results as a prepared statement's. */
final class VeilCallableStatement extends ForwardingCallableStatement<CallableStatement> {

  VeilCallableStatement(CallableStatement delegate, VeilConnection connection,
      StatementPlan plan) {
    super(delegate, connection, plan);
  }
}
