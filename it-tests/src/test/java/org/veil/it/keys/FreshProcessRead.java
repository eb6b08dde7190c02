package org.veil.it.keys;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import org.veil.jdbc.VeilDriver;

/**
 * Run as a child process (a JVM with no state from the test): connects with the Veil URL and
 * settings given as arguments, the password in {@code VEIL_IT_PASSWORD}, reads
 * {@code SELECT body FROM notes ORDER BY id}, and prints {@code ROW <value>} for each row, or
 * {@code ERROR <sqlstate> <message>}.
 *
 * <p>Arguments: url user sslrootcert keyFile keyring.
 */
public final class FreshProcessRead {

  private FreshProcessRead() {}

  public static void main(String[] args) {
    Properties props = new Properties();
    props.setProperty("user", args[1]);
    props.setProperty("password", System.getenv("VEIL_IT_PASSWORD"));
    props.setProperty("sslrootcert", args[2]);
    props.setProperty("veil.columns", KeySettings.COLUMNS);
    props.setProperty("veil.kms", "local");
    props.setProperty("veil.kms.keystore", args[3]);
    props.setProperty("veil.keys.keyring", args[4]);
    try (Connection c = new VeilDriver().connect(args[0], props);
        PreparedStatement ps = c.prepareStatement("SELECT body FROM notes ORDER BY id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        System.out.println("ROW " + rs.getString(1));
      }
    } catch (SQLException e) {
      System.out.println("ERROR " + e.getSQLState() + " " + e.getMessage());
    }
  }
}
