/* A label at the head of an option labels the whole if/do (SPIN hoists it, with a
   warning), and when that if/do itself begins an option, the place the label names
   is the location whose moves begin with it: here the loop's head, so the loop is an
   acceptance cycle.  UP: the label one level up, on the do's option, the same place;
   LATE: the label on the option's second statement, a place of its own.
   variants: - | UP | LATE */
byte g;
active proctype R() {
  do
#if defined(UP)
  :: accept: if
     :: g = 0
     :: g = 1
     fi
#elif defined(LATE)
  :: g = 0; accept: g = 1
#else
  :: if
     :: g = 0
     :: accept: g = 1
     fi
#endif
  od
}
