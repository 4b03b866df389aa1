/* An unless at the head of an if/do option: pan tries its escape first at the if/do
   itself, before every option there (another option's too), as it does at each
   location of the unless body.  The escape g = 1 can always run, so no assertion
   fails, but with WAIT, whose escape waits for g == 1 and so lets the assertion run.
   variants: - | DO | OTHER | WAIT */
byte g;
active proctype R() {
#ifdef DO
  do
  :: { assert(false) } unless { g = 1 }; break
  od
#elif defined(OTHER)
  if
  :: { assert(false) } unless { g = 1 }
  :: assert(false)
  fi
#elif defined(WAIT)
  if
  :: { assert(false) } unless { g == 1 }
  :: g = 1
  fi
#else
  skip;
  if
  :: { assert(false) } unless { g = 1 }
  fi
#endif
}
