#include "eclipsera/manifold/tsne.h"
