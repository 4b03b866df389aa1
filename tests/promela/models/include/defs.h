/* included by preprocessor.pml, relative to it */
#define MAX 3
#define BUMP(v, d) v = v + \
    (d)
