// An upper layer including a lower one: allowed.
#pragma once
#include "base/lower.h"
