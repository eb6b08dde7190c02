package org.veil.bench.e2e;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * Veil: {@code jdbc:veil:postgresql://…} with a set of {@code veil.*} settings, the application
 * binding and reading plaintext. Every Veil variant the issue asks for (no encrypted column,
 * randomized with a warm or cold key cache, deterministic, direct KMS wrapping) is one instance
 * of this class; only the settings, the stored type and what it can look up differ.
 */
public final class VeilContender implements Contender {

  private final String id;
  private final String description;
  private final Function<Target, Map<String, String>> settings;
  private final String storedType;
  private final boolean canLookUpByEquality;
  private final boolean storesCiphertext;

  /**
   * @param settings the {@code veil.*} properties for a target, e.g. {@code veil.columns} naming
   *     {@link Target#qualified} columns
   * @param storedType the SQL type of the protected columns in this contender's table
   */
  public VeilContender(String id, String description,
      Function<Target, Map<String, String>> settings, String storedType,
      boolean canLookUpByEquality, boolean storesCiphertext) {
    this.id = id;
    this.description = description;
    this.settings = settings;
    this.storedType = storedType;
    this.canLookUpByEquality = canLookUpByEquality;
    this.storesCiphertext = storesCiphertext;
  }

  /** Veil as a pass-through: its URL and TLS policy, no {@code veil.columns}. */
  public static VeilContender withoutEncryptedColumns() {
    return new VeilContender("veil_none",
        "Veil, jdbc:veil:postgresql with no veil.columns: the wrapper and its TLS 1.3 "
            + "verify-full policy, nothing encrypted",
        target -> Map.of(), "text", true, false);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public Connection connect(Target target) throws SQLException {
    Properties extra = new Properties();
    extra.putAll(settings.apply(target));
    return target.server().veilConnection(extra);
  }

  @Override
  public String protectedColumnType(ProtectedColumn column) {
    return storedType;
  }

  @Override
  public boolean canLookUpByEquality() {
    return canLookUpByEquality;
  }

  @Override
  public boolean storesCiphertext() {
    return storesCiphertext;
  }
}
