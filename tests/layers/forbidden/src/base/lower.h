// A lower layer that includes an upper one: the layer check must refuse it.
#pragma once
#include "api/upper.h"
#include <api/upper.h>
#include "../api/upper.h"
