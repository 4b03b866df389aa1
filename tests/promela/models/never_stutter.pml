/* The never claim goes on when the system stops (stutter): <>(x == 2) fails if the
   process can end with x == 1.
   variants: - | REACH */
byte x;
active proctype P() {
  x = 1;
#ifdef REACH
  x = 2
#else
  if
  :: x = 2
  :: skip
  fi
#endif
}
never {    /* [] (x != 2) */
accept_init:
  do
  :: x != 2
  od
}
