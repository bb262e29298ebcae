# One smoke run of bench.exe (tests/windows/CMakeLists.txt), run by CTest
# as `cmake -P`:
#   RUN         the emulator and bench.exe
#   ARGS        bench's arguments; @FILE@ stands for a data file made first
#               with `bench stream generate` (FILE_BYTES bytes)
#   BYTES       bytes every repeat must have moved per direction (optional)
#   OUT         a folder for the results file and the data file
#   MATRIX      ARGS are a `bench matrix`: its results file is in its --out
#               folder, and `bench compare` of that file with itself must
#               find no regression
#   REFUSED     bench must refuse ARGS: exit status 2 (usage) and this text
#               in what it prints, nothing measured
# Fails unless bench exits 0 and every run of its results file has no
# errors, moved BYTES, and verified its data where it says.
file(REMOVE_RECURSE "${OUT}")
file(MAKE_DIRECTORY "${OUT}")

function(run_bench)
  execute_process(COMMAND ${RUN} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err TIMEOUT 150)
  message("bench ${ARGN}\n${out}${err}")
  if(REFUSED)
    string(FIND "${out}${err}" "${REFUSED}" at)
    if(NOT rc EQUAL 2 OR at EQUAL -1)
      message(FATAL_ERROR "expected exit status 2 and '${REFUSED}', got '${rc}'")
    endif()
  elseif(NOT rc EQUAL 0)
    message(FATAL_ERROR "bench exited with '${rc}'")
  endif()
endfunction()

if(FILE_BYTES)
  set(data "${OUT}/data.bin")
  run_bench(stream generate --file=${data} --size=${FILE_BYTES})
  file(SIZE "${data}" size)
  if(NOT size EQUAL FILE_BYTES)
    message(FATAL_ERROR "the data file has ${size} bytes, not ${FILE_BYTES}")
  endif()
  string(REPLACE "@FILE@" "${data}" ARGS "${ARGS}")
endif()

if(REFUSED)
  run_bench(${ARGS})
  return()
endif()
if(MATRIX)
  run_bench(${ARGS} --out=${OUT}/matrix)
  set(results "${OUT}/matrix/results.json")
  run_bench(compare ${results} ${results})
else()
  set(results "${OUT}/results.json")
  run_bench(${ARGS} --json=${results})
endif()
file(READ "${results}" doc)
string(JSON schema GET "${doc}" schema)
if(NOT schema STREQUAL "loopbench.results/2")
  message(FATAL_ERROR "results file schema '${schema}'")
endif()
string(JSON runs LENGTH "${doc}" runs)
if(runs EQUAL 0)
  message(FATAL_ERROR "the results file has no runs")
endif()
math(EXPR last "${runs} - 1")
foreach(i RANGE ${last})
  string(JSON what GET "${doc}" runs ${i} mode)
  string(JSON errors GET "${doc}" runs ${i} summary errors)
  if(NOT errors EQUAL 0)
    message(FATAL_ERROR "run ${i} (${what}): ${errors} errors")
  endif()
  string(JSON verified ERROR_VARIABLE no_verified GET "${doc}" runs ${i} summary verified)
  if(NOT no_verified AND NOT verified)
    message(FATAL_ERROR "run ${i} (${what}): data not verified")
  endif()
  if(BYTES)
    set(expected ${BYTES})
    if(what STREQUAL "concurrent")
      math(EXPR expected "${BYTES} * 2")  # both directions
    endif()
    string(JSON repeats LENGTH "${doc}" runs ${i} repeats)
    math(EXPR last_repeat "${repeats} - 1")
    foreach(r RANGE ${last_repeat})
      string(JSON bytes GET "${doc}" runs ${i} repeats ${r} bytes)
      if(NOT bytes EQUAL expected)
        message(FATAL_ERROR "run ${i} (${what}) repeat ${r}: ${bytes} bytes, not ${expected}")
      endif()
    endforeach()
  endif()
  message("run ${i} (${what}): no errors")
endforeach()
