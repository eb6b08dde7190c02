/**
 * Veil's errors and the SQLSTATEs they are reported under: {@link org.veil.error.VeilError}
 * (what Veil raises), {@link org.veil.error.ServerState} (what Veil recognises in the server's
 * errors) and {@link org.veil.error.VeilException} (how the layers below JDBC raise a
 * {@code VeilError}).
 *
 * <p>A leaf: it depends on nothing else of Veil, so every layer can use it (a test checks this),
 * and no other class of the driver holds an SQLSTATE literal (a test checks that too).
 */
package org.veil.error;
