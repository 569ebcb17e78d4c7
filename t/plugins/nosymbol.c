/* t/plugins/nosymbol.c: a shared object that is no hopwatch plugin. */
int nosymbol_answer(void);
int nosymbol_answer(void) { return 42; }
