package org.veil.jdbc;

/** The driver's version, as {@code Driver.getMajorVersion}/{@code getMinorVersion} report it. */
final class VeilVersion {
  static final int MAJOR = 0;
  static final int MINOR = 1;

  private VeilVersion() {}
}
