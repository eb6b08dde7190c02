/**
 * What the database holds for Veil's encrypted columns, shared by the driver and the tools: the
 * catalog's view of a table's columns ({@link org.veil.catalog.CatalogColumns}) and how a column
 * stores its cells ({@link org.veil.catalog.StorageForm}). Internal to Veil: public so that the
 * command-line jobs can use the same code as the driver, not an API for applications.
 */
package org.veil.catalog;
