package dev.tollgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class GlobTest {

  @Test
  void starMatchesAnyRunQuestionMarkExactlyOneAndTheWholeNameMustMatch() {
    assertTrue(Glob.of("delete_*").matches("delete_file"));
    assertTrue(Glob.of("delete_*").matches("delete_"));
    assertFalse(Glob.of("delete_*").matches("undelete_file"));
    assertTrue(Glob.of("*").matches(""));
    assertTrue(Glob.of("drop_?able").matches("drop_table"));
    assertFalse(Glob.of("drop_?able").matches("drop_able"));
    assertTrue(Glob.of("*_file*").matches("read_file_v2"));
    assertFalse(Glob.of("read").matches("read_file"));
    assertTrue(Glob.of("a*b*c").matches("aXbYbZc"));
    assertFalse(Glob.of("a*b*c").matches("aXbYbZ"));
    assertTrue(Glob.of("mcp.server/*").matches("mcp.server/tool"), "'.' and '/' are literal");
    assertFalse(Glob.of("a.c").matches("abc"));
  }

  @Test
  void matchingIsCaseSensitive() {
    assertFalse(Glob.of("Delete_*").matches("delete_file"));
    assertFalse(Glob.of("delete_*").matches("DELETE_FILE"));
  }

  @Test
  void toolNamesQualifiedByAServerMatchByTheirBareNameToo() {
    assertTrue(Glob.of("delete_*").matchesTool("files/delete_file"));
    assertTrue(Glob.of("files/*").matchesTool("files/delete_file"));
    assertTrue(Glob.of("files/delete_file").matchesTool("files/delete_file"));
    assertFalse(Glob.of("other/*").matchesTool("files/delete_file"));
    assertFalse(Glob.of("files").matchesTool("files/delete_file"));
    assertFalse(Glob.of("delete_*").matches("files/delete_file"), "plain matching stays whole-name");
    assertFalse(Glob.of("x").matchesTool(null));
  }

  @Test
  void nullNameMatchesNothing() {
    assertFalse(Glob.of("*").matches(null));
  }

  @Test
  void invalidGlobsAreRefused() {
    assertEquals("must not be empty", Glob.problem(""));
    assertEquals("may contain only printable ASCII characters, found U+0009 at position 2", Glob.problem("a\tb"));
    assertEquals("must be at most 256 characters long, got 257", Glob.problem("a".repeat(257)));
    assertThrows(IllegalArgumentException.class, () -> Glob.of("caf\u00e9"));
  }

  @Test
  @Timeout(2)
  void pathologicalPatternsStayFast() {
    Glob glob = Glob.of("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b");
    String name = "a".repeat(10_000);
    for (int i = 0; i < 20; i++) {
      assertFalse(glob.matches(name));
    }
  }
}
