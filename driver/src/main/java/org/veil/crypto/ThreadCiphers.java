package org.veil.crypto;

import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * One thread's ciphers and scratch space for sealing and opening cells: nothing on the hot path
 * allocates a cipher. The value cipher and the wrap cipher are separate, so that the wrap cipher
 * keeps the branch key's schedule while the value cipher changes key every row.
 *
 * <p>It also remembers the row key of the last randomized cell this thread opened, so that the
 * other cells of that row reuse it (cells of one row share their row key): keyed by the branch key
 * object the key ring returned (a reloaded or evicted key is another object, so the memo is never
 * served past the key ring's cache), the layout and the key bytes of the cell (nonce, or wrap IV
 * and wrapped key). It holds at most one row key; it is overwritten by the next row.
 *
 * <p>Confined to its thread. {@link #toString()} shows no key material.
 */
final class ThreadCiphers {

  final Cipher gcm;
  final Cipher wrapGcm;
  final RowKeyKdf kdf;
  /** Scratch for a row key being derived or unwrapped; cleared after use. */
  final byte[] rowKeyBytes = new byte[CellFormat.DEK];
  /** Scratch for associated data that is not in the cell (version 3 prefix, binding length). */
  final byte[] aadPrefix = new byte[CellFormat.V2_AAD_HEADER];
  final byte[] bindingLength = new byte[4];

  private BranchKey lastBranch;
  private CellHeader.Layout lastLayout;
  private final byte[] lastKeyBytes = new byte[CellFormat.WRAPPED_DEK];
  private int lastKeyLength;
  private SecretKeySpec lastRowKey;

  ThreadCiphers(GcmProvider provider) {
    this.gcm = provider.gcm();
    this.wrapGcm = provider.gcm();
    this.kdf = new RowKeyKdf(provider.ecb());
  }

  /** The remembered row key, if {@code cell[from, to)} under {@code branch} is the last one. */
  SecretKeySpec lastRowKey(BranchKey branch, CellHeader.Layout layout, byte[] cell, int from,
      int to) {
    if (lastRowKey != null && lastBranch == branch && lastLayout == layout
        && Arrays.equals(cell, from, to, lastKeyBytes, 0, lastKeyLength)) {
      return lastRowKey;
    }
    return null;
  }

  void rememberRowKey(BranchKey branch, CellHeader.Layout layout, byte[] cell, int from, int to,
      SecretKeySpec rowKey) {
    lastBranch = branch;
    lastLayout = layout;
    lastKeyLength = to - from;
    System.arraycopy(cell, from, lastKeyBytes, 0, lastKeyLength);
    lastRowKey = rowKey;
  }

  void forget() {
    lastBranch = null;
    lastRowKey = null;
    lastKeyLength = 0;
  }

  @Override
  public String toString() {
    return "ThreadCiphers[" + gcm.getProvider().getName() + "]";
  }
}
