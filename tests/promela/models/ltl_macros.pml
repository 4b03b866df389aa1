/* Propositions written as macros, as SPIN users write them for spin -f, and the
   --ltl option using the model's macros.  HOG keeps the lock.
   variants: - | HOG
   properties: free_again never_both
   ltl-option: [] (locked -> <> !locked)
   ltl-option: [] !(in_a && in_b)
   ltl-option: <> [] locked */
#define locked (owner != 0)
#define in_a (User[1]@crit)
#define in_b (User[2]@crit)
byte owner;
active [2] proctype User() {
  do
  :: atomic { owner == 0 -> owner = _pid }
crit:
#ifdef HOG
     if
     :: _pid == 1 -> do :: owner == 1 -> skip od
     :: else
     fi;
#endif
     owner = 0
  od
}
ltl free_again { [] (locked -> <> !locked) }
ltl never_both { [] !(in_a && in_b) }
