package dev.tollgate.agent.llm;

/**
 * Server-sent-events framing as bytes pass: lines end at {@code \n}, {@code \r\n} or {@code \r}; an event ends at a
 * blank line; its {@code data:} lines are handed on as they arrive (joined with {@code \n}); comment lines
 * ({@code :...}), {@code event:}, {@code id:} and {@code retry:} lines are skipped. Nothing is buffered but a field
 * name.
 */
final class SseFramer {
  interface Events {
    /** Bytes of the current event's data; {@code newline} marks the join between two data lines. */
    void data(byte[] b, int off, int len);

    void dataLineBreak();

    /** The current event ended (blank line, or end of body). */
    void dispatch();
  }

  private static final int LINE_START = 0;
  private static final int FIELD = 1;
  private static final int VALUE_START = 2;
  private static final int DATA = 3;
  private static final int SKIP_LINE = 4;
  private static final byte[] DATA_NAME = {'d', 'a', 't', 'a'};

  private final Events events;
  private final byte[] field = new byte[8];
  private int fieldLen;
  private int state = LINE_START;
  private boolean afterCr;
  private boolean eventHasData;
  private boolean lineIsData;

  SseFramer(Events events) {
    this.events = events;
  }

  int retainedBytes() {
    return field.length;
  }

  void feed(byte[] b, int off, int len) {
    int end = off + len;
    int i = off;
    while (i < end) {
      byte c = b[i];
      if (afterCr) {
        afterCr = false;
        if (c == '\n') {
          i++; // the LF of a CRLF: the line already ended at the CR
          continue;
        }
      }
      if (c == '\r' || c == '\n') {
        endLine();
        afterCr = c == '\r';
        i++;
        continue;
      }
      switch (state) {
        case LINE_START, FIELD -> {
          if (c == ':') {
            lineIsData = fieldLen == DATA_NAME.length && isData();
            state = lineIsData ? VALUE_START : SKIP_LINE;
            startDataLine();
          } else {
            if (fieldLen < field.length) {
              field[fieldLen] = c;
            }
            fieldLen++;
            state = FIELD;
          }
          i++;
        }
        case VALUE_START -> {
          state = DATA;
          if (c == ' ') {
            i++; // one leading space belongs to the syntax
          }
        }
        case DATA -> {
          int j = i;
          while (j < end && b[j] != '\n' && b[j] != '\r') {
            j++;
          }
          events.data(b, i, j - i);
          i = j;
        }
        default -> i++; // SKIP_LINE
      }
    }
  }

  /** End of body: an event not yet closed by a blank line is dispatched all the same. */
  void finish() {
    if (state != LINE_START) {
      endLine();
    }
    if (eventHasData) {
      eventHasData = false;
      events.dispatch();
    }
  }

  private boolean isData() {
    for (int k = 0; k < DATA_NAME.length; k++) {
      if (field[k] != DATA_NAME[k]) {
        return false;
      }
    }
    return true;
  }

  private void startDataLine() {
    if (lineIsData) {
      if (eventHasData) {
        events.dataLineBreak();
      }
      eventHasData = true;
    }
  }

  private void endLine() {
    if (state == LINE_START) {
      // blank line: the event is complete
      if (eventHasData) {
        eventHasData = false;
        events.dispatch();
      }
    } else if (state == FIELD && fieldLen == DATA_NAME.length && isData()) {
      // "data" with no colon: a data line with an empty value
      lineIsData = true;
      startDataLine();
    }
    state = LINE_START;
    fieldLen = 0;
    lineIsData = false;
  }
}
