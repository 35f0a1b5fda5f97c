/*
 * A program for an image with nothing else in it (FROM scratch, no shell): prints its arguments,
 * who and where it runs, its input; writes an output; keeps a core busy for a while so that its
 * metrics have something to show; exits with the code its first argument names ("exit=N").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  int code = 0;
  double seconds = 2.5;
  for (int i = 1; i < argc; i++) {
    printf("arg: %s\n", argv[i]);
    if (strncmp(argv[i], "exit=", 5) == 0) code = atoi(argv[i] + 5);
    if (strncmp(argv[i], "spin=", 5) == 0) seconds = atof(argv[i] + 5);
  }
  printf("uid: %d\n", (int)getuid());
  char cwd[256];
  if (getcwd(cwd, sizeof cwd)) printf("pwd: %s\n", cwd);
  char line[256];
  FILE *in = fopen("/job/input/data.txt", "r");
  if (in && fgets(line, sizeof line, in)) printf("input: %s", line);
  FILE *out = fopen("/job/output/static.txt", "w");
  if (out) {
    fputs("from scratch\n", out);
    fclose(out);
  } else {
    printf("output folder not writable\n");
  }
  fflush(stdout);
  volatile unsigned long spin = 0;
  double start = now();
  while (now() - start < seconds) spin++;
  printf("done spinning\n");
  return code;
}
