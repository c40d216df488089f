// A header of another suffix: checked too.
#pragma once
#include "api/upper.h"
