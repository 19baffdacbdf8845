package dev.bucket.governance;

/**
 * The seeds' operation vocabulary. UPDATE can only ever mean "append a new version"; DELETE is refused for every
 * class, whatever a rule file says.
 */
public enum OpType {
  CREATE, READ, UPDATE, DELETE
}
